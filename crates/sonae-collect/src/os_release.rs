//! `/etc/os-release` (freedesktop.org os-release(5)).

use crate::OsRelease;

/// Parses an os-release file: `KEY=value` lines, blank lines and `#` comments
/// ignored. Values follow shell quoting: `"double quoted"` (with `\"`, `\\`, `\$`,
/// `` \` `` escapes), `'single quoted'` (literal), or unquoted (backslash escapes the
/// next character; an unquoted space ends the value, so a trailing `# comment` is
/// dropped). Later assignments win. Missing `ID` gives `linux`, per the specification.
pub fn parse_os_release(text: &str) -> OsRelease {
    let mut os = OsRelease {
        id: String::new(),
        version_id: None,
        pretty_name: None,
        id_like: Vec::new(),
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw);
        match key.trim() {
            "ID" => os.id = value,
            "VERSION_ID" => os.version_id = non_empty(value),
            "PRETTY_NAME" => os.pretty_name = non_empty(value),
            "ID_LIKE" => os.id_like = value.split_whitespace().map(str::to_owned).collect(),
            _ => {}
        }
    }
    if os.id.is_empty() {
        os.id = "linux".to_owned();
    }
    os
}

fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// One shell word: concatenated quoted / unquoted pieces up to unquoted whitespace.
fn unquote(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.trim_start().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => out.push(e),
                            Some('\n') | None => {}
                            Some(other) => {
                                out.push('\\');
                                out.push(other);
                            }
                        },
                        _ => out.push(c),
                    }
                }
            }
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '\\' => {
                if let Some(e) = chars.next() {
                    out.push(e);
                }
            }
            c if c.is_whitespace() => break,
            _ => out.push(c),
        }
    }
    out
}
