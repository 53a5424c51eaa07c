#!/usr/bin/env python3
"""Build a large JVN VULDEF file for the import benchmark from the real
records in crates/sonae-feeds/tests/fixtures/jvn (only ids are changed), since
the staged JVN samples hold a few dozen entries. Usage:
    python3 benches/make-jvn-set.py 30000 /tmp/jvn-bench.xml
"""
import re, sys, pathlib

n = int(sys.argv[1]); out = pathlib.Path(sys.argv[2])
root = pathlib.Path(__file__).resolve().parent.parent / "crates/sonae-feeds/tests/fixtures/jvn"
text = (root / "dataFeed_jvndb_detail_hnd.xml").read_text(encoding="utf-8")
start = text.index("<Vulinfo>"); end = text.rindex("</Vulinfo>") + len("</Vulinfo>")
head, body, tail = text[:start], text[start:end], text[end:]
items = re.findall(r"<Vulinfo>.*?</Vulinfo>", body, re.S)
with out.open("w", encoding="utf-8") as f:
    f.write(head)
    for i in range(n):
        item = items[i % len(items)]
        item = re.sub(r"<VulinfoID>JVNDB-\d{4}-\d+</VulinfoID>", f"<VulinfoID>JVNDB-2099-{i:06d}</VulinfoID>", item, count=1)
        # Each copy names CVEs of its own, as distinct real entries do.
        item = re.sub(r"CVE-(\d{4})-(\d+)", lambda m: f"CVE-2099-{i:06d}{m.group(2)[-2:]}", item)
        f.write(item)
        f.write("\n")
    f.write(tail)
print(f"{n} records -> {out} ({out.stat().st_size / 1048576:.1f} MiB)")
