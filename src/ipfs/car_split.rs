//! Splitting a large CAR into several smaller CARs, as nft.storage's client
//! did before uploading (its `storeCar` sent CARs over 100 MiB in parts of
//! at most 50 MiB, three at a time). Every part is a CAR of its own with
//! the same root in its header; its blocks keep the order of the whole, so
//! the service holds the complete DAG once every part has arrived.

use std::ops::Range;

/// CARs larger than this are sent in parts.
pub const SPLIT_ABOVE_BYTES: u64 = 100 << 20;
/// The largest part, header included, unless one block alone is larger.
pub const MAX_PART_BYTES: u64 = 50 << 20;
/// Parts uploaded at once.
pub const PARTS_IN_FLIGHT: usize = 3;

/// Whether a CAR of `car_bytes` is sent in parts.
pub fn needs_split(car_bytes: u64) -> bool {
    car_bytes > SPLIT_ABOVE_BYTES
}

/// Groups consecutive CAR sections (each a block with its length prefix and
/// CID), whose sizes are `section_bytes`, into parts that each fit in
/// `max_part_bytes` together with a header of `header_bytes`. A section too
/// large for any part gets a part of its own.
pub fn plan_car_parts(
    header_bytes: u64,
    section_bytes: &[u64],
    max_part_bytes: u64,
) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut filled = header_bytes;
    for (index, &bytes) in section_bytes.iter().enumerate() {
        if index > start && filled + bytes > max_part_bytes {
            parts.push(start..index);
            start = index;
            filled = header_bytes;
        }
        filled += bytes;
    }
    if start < section_bytes.len() {
        parts.push(start..section_bytes.len());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    /// Sections as a 256 KiB-leaf import writes them: a leaf with its
    /// 40-byte prefix, and a parent node after every 174 leaves.
    fn import_sections(leaves: usize) -> Vec<u64> {
        let mut sections = Vec::new();
        for leaf in 1..=leaves {
            sections.push(256 * 1024 + 40);
            if leaf % 174 == 0 {
                sections.push(8_000);
            }
        }
        sections
    }

    #[test]
    fn parts_cover_every_section_once_in_order_and_each_fits() {
        let header = 59;
        let sections = import_sections(600); // about 150 MiB
        let parts = plan_car_parts(header, &sections, MAX_PART_BYTES);

        assert!(parts.len() >= 3, "{} parts", parts.len());
        assert_eq!(parts.first().unwrap().start, 0);
        assert_eq!(parts.last().unwrap().end, sections.len());
        for pair in parts.windows(2) {
            assert_eq!(pair[0].end, pair[1].start, "no gap, no overlap");
        }
        for part in &parts {
            let bytes: u64 = header + sections[part.clone()].iter().sum::<u64>();
            assert!(bytes <= MAX_PART_BYTES, "a part of {bytes} bytes");
            // Full: the next section would not have fitted.
            if part.end < sections.len() {
                assert!(bytes + sections[part.end] > MAX_PART_BYTES);
            }
        }
    }

    #[test]
    fn a_section_larger_than_a_part_travels_alone() {
        let parts = plan_car_parts(10, &[MIB, 3 * MIB, MIB], 2 * MIB);
        assert_eq!(parts, vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn only_cars_over_100_mib_are_split() {
        assert!(!needs_split(100 * MIB));
        assert!(needs_split(100 * MIB + 1));
        assert_eq!(
            plan_car_parts(10, &[], MAX_PART_BYTES),
            Vec::<Range<usize>>::new()
        );
    }
}
