//! HAMT-sharded UnixFS directories (https://specs.ipfs.tech/unixfs/#hamt-directories):
//! which bucket a name falls in at each level, how a shard's links are
//! named, and how @ipld/unixfs 3.0.0 (through @perma/map) writes a large
//! directory as a tree of shards.

use cid::Cid;

use super::block::{Block, DAG_PB_CODEC};
use super::dag_pb::{PbLink, PbNode};
use super::directory::DirectoryEntry;
use super::murmur3::murmur3_x64_64;
use super::unixfs::UnixFsData;

/// Multihash code of `murmur3-x64-64`, the one hash UnixFS shards use.
pub const MURMUR3_X64_64: u64 = 0x22;

/// The fanout ipfs-car writes: @perma/map/unixfs's `bitWidth` of 8.
pub const IPFS_CAR_FANOUT: u64 = 256;

/// Largest fanout this reader follows: 2^16 buckets, an 8 KiB bitfield.
const MAX_BIT_WIDTH: u32 = 16;

/// Bits of one hash frame: murmur3-x64-64 gives 64.
const FRAME_BITS: u64 = 64;

/// Distinct names part ways within a few levels; only a repeated name
/// could reach this many (512 bits of hash in common).
const MAX_ENCODED_DEPTH: usize = 64;

/// The bucket layout of a shard, from its fanout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardLayout {
    /// log2 of the fanout: how many hash bits pick a bucket at each level.
    bit_width: u32,
}

impl ShardLayout {
    /// The layout for `fanout` buckets; `None` unless it is a power of two
    /// from 2 to 2^16.
    pub fn new(fanout: u64) -> Option<Self> {
        let bit_width = fanout.checked_ilog2()?;
        (fanout.is_power_of_two() && (1..=MAX_BIT_WIDTH).contains(&bit_width))
            .then_some(Self { bit_width })
    }

    pub fn fanout(&self) -> u64 {
        1 << self.bit_width
    }

    /// Hex digits in a link's bucket prefix: as many as `fanout - 1` takes
    /// (two for 256), as go-unixfs and ipfs-unixfs-exporter read them.
    pub fn prefix_length(&self) -> usize {
        format!("{:X}", self.fanout() - 1).len()
    }

    /// A link name's bucket prefix: the index in uppercase hex, zero-padded.
    pub fn prefix(&self, bucket: u32) -> String {
        format!("{bucket:0width$X}", width = self.prefix_length())
    }

    /// Splits a shard link's name into its bucket and the entry name after
    /// the prefix (empty for a link to a sub-shard). Hex digits of either
    /// case are read, as other readers do.
    pub fn split_link_name<'a>(&self, link_name: &'a str) -> Option<(u32, &'a str)> {
        let length = self.prefix_length();
        let prefix = link_name.get(..length)?;
        if !prefix.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        let bucket = u32::from_str_radix(prefix, 16).ok()?;
        (u64::from(bucket) < self.fanout()).then(|| (bucket, &link_name[length..]))
    }

    /// The bucket `name` falls in at `depth` shards below the directory's
    /// root shard.
    pub fn bucket(&self, name: &str, depth: usize) -> u32 {
        hash_bits(
            name.as_bytes(),
            depth as u64 * u64::from(self.bit_width),
            self.bit_width,
        )
    }
}

/// `count` bits of a name's hash stream from bit `offset`, most significant
/// first. The stream never ends, as @perma/map's InfiniteUint8Array path
/// has it: frame 0 is murmur3-x64-64 of the name, frame n the same hash of
/// the name followed by the byte n, so two names still part ways after
/// 64 bits in common.
fn hash_bits(name: &[u8], mut offset: u64, mut count: u32) -> u32 {
    let mut value = 0u32;
    let mut frame_number = u64::MAX;
    let mut frame = 0u64;
    while count > 0 {
        if offset / FRAME_BITS != frame_number {
            frame_number = offset / FRAME_BITS;
            frame = u64::from_be_bytes(hash_frame(name, frame_number));
        }
        let within = (offset % FRAME_BITS) as u32;
        let taking = count.min(FRAME_BITS as u32 - within);
        let bits = (frame << within) >> (FRAME_BITS as u32 - taking);
        value = (value << taking) | bits as u32;
        count -= taking;
        offset += u64::from(taking);
    }
    value
}

fn hash_frame(name: &[u8], frame_number: u64) -> [u8; 8] {
    if frame_number == 0 {
        murmur3_x64_64(name)
    } else {
        let mut salted = name.to_vec();
        // A Uint8Array filled with the frame number keeps its low byte.
        salted.push(frame_number as u8);
        murmur3_x64_64(&salted)
    }
}

/// Encodes `entries` (distinct names) as a HAMT with ipfs-car's fanout:
/// returns the shards in the order ipfs-car writes them (each sub-shard
/// before the shard linking to it, buckets in index order, the root last)
/// and the whole directory's DAG size.
///
/// A bucket holding one entry links to it as prefix + name; a bucket of
/// several links to a sub-shard named by the prefix alone, which splits them
/// on the next bits of their hashes. This is the canonical shape @perma/map
/// builds whatever the insertion order, so the CIDs match.
pub fn encode_sharded_directory(entries: &[DirectoryEntry]) -> (Vec<Block>, u64) {
    let layout = ShardLayout::new(IPFS_CAR_FANOUT).expect("256 is a valid fanout");
    let members: Vec<&DirectoryEntry> = entries.iter().collect();
    let mut blocks = Vec::new();
    let (_, dag_size) = encode_shard(layout, &members, 0, &mut blocks);
    (blocks, dag_size)
}

fn encode_shard(
    layout: ShardLayout,
    members: &[&DirectoryEntry],
    depth: usize,
    blocks: &mut Vec<Block>,
) -> (Cid, u64) {
    assert!(
        depth < MAX_ENCODED_DEPTH,
        "a sharded directory's entries must have distinct names"
    );
    let mut by_bucket: Vec<(u32, &DirectoryEntry)> = members
        .iter()
        .map(|entry| (layout.bucket(&entry.name, depth), *entry))
        .collect();
    by_bucket.sort_by_key(|(bucket, _)| *bucket);

    let mut bitfield = vec![0u8; (layout.fanout() / 8) as usize];
    let mut links = Vec::new();
    for group in by_bucket.chunk_by(|a, b| a.0 == b.0) {
        let bucket = group[0].0;
        // Bit i is bit i % 8 of the i / 8-th byte from the end: the
        // bitfield is one big-endian number.
        let byte = bitfield.len() - 1 - (bucket / 8) as usize;
        bitfield[byte] |= 1 << (bucket % 8);
        let prefix = layout.prefix(bucket);
        let link = match group {
            [(_, entry)] => PbLink {
                hash: entry.cid,
                name: Some(format!("{prefix}{}", entry.name)),
                tsize: Some(entry.dag_size),
            },
            _ => {
                let colliding: Vec<&DirectoryEntry> =
                    group.iter().map(|(_, entry)| *entry).collect();
                let (cid, dag_size) = encode_shard(layout, &colliding, depth + 1, blocks);
                PbLink {
                    hash: cid,
                    name: Some(prefix),
                    tsize: Some(dag_size),
                }
            }
        };
        links.push(link);
    }
    // Links are already in name order, as dag-pb requires: fixed-width
    // uppercase hex prefixes sort as their bucket indexes do.
    let first_set = bitfield.iter().position(|byte| *byte != 0);
    let bitfield = bitfield.split_off(first_set.unwrap_or(bitfield.len()));
    let node = PbNode {
        data: Some(UnixFsData::hamt_shard(bitfield, layout.fanout(), MURMUR3_X64_64).encode()),
        links,
    };
    let block = Block::new(DAG_PB_CODEC, node.encode());
    let dag_size = block.bytes.len() as u64
        + node
            .links
            .iter()
            .map(|link| link.tsize.unwrap_or_default())
            .sum::<u64>();
    let cid = block.cid;
    blocks.push(block);
    (cid, dag_size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::block::RAW_CODEC;

    /// Entries linking to the raw block [21, 31], as the node script that
    /// made the vectors below set them (`dagByteLength: 2`).
    fn entries(names: &[&str]) -> Vec<DirectoryEntry> {
        let leaf = Block::new(RAW_CODEC, vec![21, 31]).cid;
        names
            .iter()
            .map(|name| DirectoryEntry {
                name: name.to_string(),
                cid: leaf,
                dag_size: 2,
            })
            .collect()
    }

    /// @perma/map's InfiniteUint8Array `read(utf8(key), depth)`, run in
    /// node: depths 8 and up come from the second hash frame.
    #[test]
    fn buckets_match_the_reference_at_every_depth() {
        let layout = ShardLayout::new(256).unwrap();
        let depths = [0, 1, 7, 8, 9, 15, 16];
        for (name, expected) in [
            ("file-1", [69, 82, 176, 147, 218, 33, 79]),
            ("ünïcødé", [139, 116, 185, 160, 4, 65, 44]),
        ] {
            let buckets: Vec<u32> = depths.iter().map(|d| layout.bucket(name, *d)).collect();
            assert_eq!(buckets, expected, "{name}");
        }
        // A width that does not divide 64: depth 12 spans two frames.
        let narrow = ShardLayout::new(32).unwrap();
        for (name, expected) in [
            ("file-1", [8, 21, 1, 4, 30]),
            ("ünïcødé", [17, 13, 19, 8, 0]),
        ] {
            let buckets: Vec<u32> = [0, 1, 12, 13, 14]
                .iter()
                .map(|d| narrow.bucket(name, *d))
                .collect();
            assert_eq!(buckets, expected, "{name}");
        }
    }

    #[test]
    fn link_names_carry_a_padded_uppercase_bucket() {
        let layout = ShardLayout::new(256).unwrap();
        assert_eq!(layout.prefix(10), "0A");
        assert_eq!(layout.split_link_name("0Acat.gif"), Some((10, "cat.gif")));
        assert_eq!(layout.split_link_name("ff"), Some((255, "")));
        assert_eq!(layout.split_link_name("+F"), None);
        assert_eq!(layout.split_link_name("G1x"), None);
        assert_eq!(layout.split_link_name("é"), None);
        assert_eq!(ShardLayout::new(16).unwrap().prefix(3), "3");
        assert_eq!(ShardLayout::new(1024).unwrap().prefix(3), "003");
        for fanout in [0, 1, 100, 1 << 17] {
            assert_eq!(ShardLayout::new(fanout), None, "{fanout}");
        }
    }

    /// @ipld/unixfs 3.0.0's `createShardedDirectoryWriter`, run in node,
    /// with three names in three buckets: one shard.
    #[test]
    fn a_shard_matches_the_reference_bytes() {
        let (blocks, dag_size) = encode_sharded_directory(&entries(&["a", "b", "c"]));
        assert_eq!(blocks.len(), 1);
        assert_eq!(
            blocks[0].cid.to_string(),
            "bafybeiagaekqdhxh7nllis5dfclz466yfsmcpd22lifuvibakw55ed2pa4"
        );
        let data = "0a1b080512124020040000000000000000000000000000002822308002";
        assert!(hex::encode(&blocks[0].bytes).ends_with(data));
        assert_eq!(dag_size, 176);
    }

    /// "n9" and "n12" share their hash's first byte (0x88), so they go to a
    /// sub-shard, written before the root.
    #[test]
    fn colliding_names_go_to_a_sub_shard_written_first() {
        let (blocks, dag_size) = encode_sharded_directory(&entries(&["n9", "n12", "a"]));
        let cids: Vec<String> = blocks.iter().map(|b| b.cid.to_string()).collect();
        assert_eq!(
            cids,
            [
                "bafybeigwczdkucafij5sqav5gjhuva5j2jn6dtbaznfpjm4efp6c2db3we",
                "bafybeicodbmf6iu67ugntuwhalk52hqgwzlwczvza7g3gzlbcs4klbp3xi",
            ]
        );
        assert_eq!(dag_size, 257);
        let root = PbNode::decode(&blocks[1].bytes).unwrap();
        let names: Vec<_> = root.links.iter().map(|l| l.name.clone().unwrap()).collect();
        assert_eq!(names, ["85a", "88"]);
    }

    #[test]
    fn entry_order_does_not_change_the_shards() {
        let forward = encode_sharded_directory(&entries(&["n9", "n12", "a", "b"]));
        let backward = encode_sharded_directory(&entries(&["b", "a", "n12", "n9"]));
        assert_eq!(forward, backward);
    }
}
