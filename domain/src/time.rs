//! Timestamps as the store keeps them: UTC milliseconds since the Unix epoch.

use ::time::OffsetDateTime;

/// Milliseconds since the Unix epoch, UTC; what every `*_at` column holds.
pub fn to_millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The inverse of [`to_millis`]; out-of-range values clamp to the epoch rather than panic.
pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn now_millis() -> i64 {
    to_millis(OffsetDateTime::now_utc())
}

/// `HH:MM:SS UTC`, for "checked at" labels.
pub fn format_utc_time(ms: i64) -> String {
    let at = from_millis(ms);
    format!("{:02}:{:02}:{:02} UTC", at.hour(), at.minute(), at.second())
}

/// `2026-11-21 12:34:56 UTC`, for tables.
pub fn format_utc_datetime(ms: i64) -> String {
    let at = from_millis(ms);
    format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        at.year(),
        at.month() as u8,
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `2026-11-21`, the day of `ms` in UTC.
pub fn format_utc_date(ms: i64) -> String {
    let at = from_millis(ms);
    format!("{}-{:02}-{:02}", at.year(), at.month() as u8, at.day())
}

/// `YYYY-MM-DD` as the milliseconds of its midnight, UTC.
pub fn parse_date(text: &str) -> Option<i64> {
    let format = ::time::macros::format_description!("[year]-[month]-[day]");
    ::time::Date::parse(text.trim(), format)
        .ok()
        .map(|d| to_millis(d.midnight().assume_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_round_trip_keeps_millisecond_precision() {
        let at = ::time::macros::datetime!(2026-11-21 12:34:56.789 UTC);
        assert_eq!(from_millis(to_millis(at)), at);
        assert_eq!(to_millis(at), 1_795_264_496_789);
        assert_eq!(format_utc_time(to_millis(at)), "12:34:56 UTC");
        assert_eq!(
            format_utc_datetime(to_millis(at)),
            "2026-11-21 12:34:56 UTC"
        );
    }
}
