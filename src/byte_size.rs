//! Sizes and progress as a person reads them: decimal units, as file
//! managers and browsers' download lists show them.

/// `1234567` → "1.2 MB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

/// "12.5 MB of 157.3 MB (7%)"; the percent is rounded down, so 100% means
/// every byte.
pub fn progress_text(done: u64, total: u64) -> String {
    let percent = if total == 0 {
        100
    } else {
        (u128::from(done.min(total)) * 100 / u128::from(total)) as u64
    };
    format!(
        "{} of {} ({percent}%)",
        human_bytes(done.min(total)),
        human_bytes(total)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1000), "1.0 kB");
        assert_eq!(human_bytes(157_286_400), "157.3 MB");
        assert_eq!(human_bytes(1 << 30), "1.1 GB");
    }

    #[test]
    fn progress_never_claims_100_percent_early() {
        assert_eq!(progress_text(0, 2_000_000), "0 B of 2.0 MB (0%)");
        assert_eq!(
            progress_text(1_999_999, 2_000_000),
            "2.0 MB of 2.0 MB (99%)"
        );
        assert_eq!(
            progress_text(2_000_000, 2_000_000),
            "2.0 MB of 2.0 MB (100%)"
        );
        assert_eq!(progress_text(5, 0), "0 B of 0 B (100%)");
    }
}
