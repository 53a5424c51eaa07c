//! Japanese business days: Monday to Friday, except national holidays.
//!
//! Holidays: 内閣府「国民の祝日について」(https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html)
//! and its CSV `syukujitsu.csv`, which lists 2025 and 2026 as enacted, with
//! substitute holidays (振替休日, 祝日法 第3条第2項) and the in-between
//! citizens' holiday (国民の休日, 第3条第3項) already applied. The 2027
//! equinox days (春分の日, 秋分の日) are set each February in the official
//! gazette; the dates here are 国立天文台's computed equinoxes (暦要項),
//! which the gazette has always followed. Extend the table before 2028.

use chrono::{Datelike, NaiveDate, Weekday};

/// (year, month, day) of every national holiday in the table.
const HOLIDAYS: &[(i32, u32, u32)] = &[
    // 2025
    (2025, 1, 1),   // 元日
    (2025, 1, 13),  // 成人の日
    (2025, 2, 11),  // 建国記念の日
    (2025, 2, 23),  // 天皇誕生日
    (2025, 2, 24),  // 振替休日
    (2025, 3, 20),  // 春分の日
    (2025, 4, 29),  // 昭和の日
    (2025, 5, 3),   // 憲法記念日
    (2025, 5, 4),   // みどりの日
    (2025, 5, 5),   // こどもの日
    (2025, 5, 6),   // 振替休日
    (2025, 7, 21),  // 海の日
    (2025, 8, 11),  // 山の日
    (2025, 9, 15),  // 敬老の日
    (2025, 9, 23),  // 秋分の日
    (2025, 10, 13), // スポーツの日
    (2025, 11, 3),  // 文化の日
    (2025, 11, 23), // 勤労感謝の日
    (2025, 11, 24), // 振替休日
    // 2026
    (2026, 1, 1),
    (2026, 1, 12),
    (2026, 2, 11),
    (2026, 2, 23),
    (2026, 3, 20),
    (2026, 4, 29),
    (2026, 5, 3),
    (2026, 5, 4),
    (2026, 5, 5),
    (2026, 5, 6), // 振替休日 (5/3 is a Sunday)
    (2026, 7, 20),
    (2026, 8, 11),
    (2026, 9, 21),
    (2026, 9, 22), // 国民の休日
    (2026, 9, 23),
    (2026, 10, 12),
    (2026, 11, 3),
    (2026, 11, 23),
    // 2027
    (2027, 1, 1),
    (2027, 1, 11),
    (2027, 2, 11),
    (2027, 2, 23),
    (2027, 3, 21), // 春分の日 (computed), a Sunday
    (2027, 3, 22), // 振替休日
    (2027, 4, 29),
    (2027, 5, 3),
    (2027, 5, 4),
    (2027, 5, 5),
    (2027, 7, 19),
    (2027, 8, 11),
    (2027, 9, 20),
    (2027, 9, 23), // 秋分の日 (computed)
    (2027, 10, 11),
    (2027, 11, 3),
    (2027, 11, 23),
];

/// Years the holiday table covers; outside them only weekends are skipped.
pub const HOLIDAY_YEARS: std::ops::RangeInclusive<i32> = 2025..=2027;

pub fn is_jp_holiday(d: NaiveDate) -> bool {
    HOLIDAYS
        .binary_search(&(d.year(), d.month(), d.day()))
        .is_ok()
}

pub fn is_business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_jp_holiday(d)
}

/// The `n`th business day after `from` (which itself does not count, so a
/// report received on a Friday with n = 2 is due on Tuesday).
pub fn add_business_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        match d.succ_opt() {
            Some(next) => d = next,
            None => return d,
        }
        if is_business_day(d) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn table_is_sorted_and_holds_real_dates() {
        assert!(HOLIDAYS.windows(2).all(|w| w[0] < w[1]));
        for (y, m, d) in HOLIDAYS {
            assert!(NaiveDate::from_ymd_opt(*y, *m, *d).is_some());
            assert!(HOLIDAY_YEARS.contains(y));
        }
    }

    #[test]
    fn a_sunday_holiday_is_followed_by_a_substitute() {
        // 祝日法 第3条第2項: a holiday on a Sunday makes the next
        // non-holiday a holiday, so the run of holidays it starts goes on
        // past Sunday.
        for (y, m, d) in HOLIDAYS {
            let h = day(*y, *m, *d);
            if h.weekday() == Weekday::Sun {
                assert!(
                    is_jp_holiday(h.succ_opt().unwrap()),
                    "no substitute after {h}"
                );
            }
        }
    }

    #[test]
    fn two_business_days_skip_a_weekend() {
        // Friday 2025-06-13 → Monday 16 (1), Tuesday 17 (2).
        assert_eq!(add_business_days(day(2025, 6, 13), 2), day(2025, 6, 17));
        // Received on a Saturday: Monday and Tuesday.
        assert_eq!(add_business_days(day(2025, 6, 14), 2), day(2025, 6, 17));
        // Wednesday → Friday.
        assert_eq!(add_business_days(day(2025, 6, 11), 2), day(2025, 6, 13));
    }

    #[test]
    fn new_year_and_golden_week_are_skipped() {
        // Wednesday 2025-12-31: 1 Jan 2026 is 元日, Friday 2 Jan counts,
        // then the weekend, so Monday 5 Jan.
        assert_eq!(add_business_days(day(2025, 12, 31), 2), day(2026, 1, 5));
        assert!(!is_business_day(day(2026, 1, 1)));
        // Thursday 2026-04-30: Friday 1 May, then 2–6 May (weekend, 憲法記念日,
        // みどりの日, こどもの日, 振替休日), so Thursday 7 May.
        assert_eq!(add_business_days(day(2026, 4, 30), 2), day(2026, 5, 7));
        // Silver week 2026: Friday 18 Sep → Thursday 24 Sep.
        assert_eq!(add_business_days(day(2026, 9, 18), 1), day(2026, 9, 24));
    }

    #[test]
    fn zero_days_is_the_same_day() {
        assert_eq!(add_business_days(day(2025, 6, 14), 0), day(2025, 6, 14));
    }
}
