//! The UnixFS `Data` message (https://specs.ipfs.tech/unixfs/) carried in a
//! dag-pb node's Data field. Fields are written in field-number order with
//! unpacked blocksizes, matching the protobufjs encoder the references use.

use thiserror::Error;

use super::protobuf::{
    read_varint, write_bytes_field, write_varint_field, FieldReader, FieldValue, WireError,
};

const FIELD_TYPE: u32 = 1;
const FIELD_DATA: u32 = 2;
const FIELD_FILESIZE: u32 = 3;
const FIELD_BLOCKSIZES: u32 = 4;
const FIELD_HASH_TYPE: u32 = 5;
const FIELD_FANOUT: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Raw = 0,
    Directory = 1,
    File = 2,
    Metadata = 3,
    Symlink = 4,
    HamtShard = 5,
}

impl NodeType {
    fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => Self::Raw,
            1 => Self::Directory,
            2 => Self::File,
            3 => Self::Metadata,
            4 => Self::Symlink,
            5 => Self::HamtShard,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UnixFsError {
    #[error("malformed UnixFS data: {0}")]
    Wire(#[from] WireError),
    #[error("malformed UnixFS data: unknown node type {0}")]
    UnknownType(u64),
    #[error("malformed UnixFS data: the node type is missing")]
    MissingType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnixFsData {
    pub node_type: NodeType,
    pub data: Option<Vec<u8>>,
    pub filesize: Option<u64>,
    /// Content bytes under each link of a file node, in link order.
    pub blocksizes: Vec<u64>,
    pub hash_type: Option<u64>,
    pub fanout: Option<u64>,
}

impl UnixFsData {
    pub fn directory() -> Self {
        Self::of_type(NodeType::Directory)
    }

    /// A HAMT shard: its bucket bitfield (big-endian, leading zero bytes
    /// dropped, omitted when empty, as @ipld/unixfs writes it), fanout and
    /// hash function. Shards carry no filesize, mode or mtime.
    pub fn hamt_shard(bitfield: Vec<u8>, fanout: u64, hash_type: u64) -> Self {
        Self {
            data: (!bitfield.is_empty()).then_some(bitfield),
            fanout: Some(fanout),
            hash_type: Some(hash_type),
            ..Self::of_type(NodeType::HamtShard)
        }
    }

    /// A file node whose content lives entirely in the linked parts.
    pub fn file_of_parts(blocksizes: Vec<u64>) -> Self {
        Self {
            filesize: Some(blocksizes.iter().sum()),
            blocksizes,
            ..Self::of_type(NodeType::File)
        }
    }

    fn of_type(node_type: NodeType) -> Self {
        Self {
            node_type,
            data: None,
            filesize: None,
            blocksizes: Vec::new(),
            hash_type: None,
            fanout: None,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_varint_field(&mut out, FIELD_TYPE, self.node_type as u64);
        if let Some(data) = &self.data {
            write_bytes_field(&mut out, FIELD_DATA, data);
        }
        if let Some(filesize) = self.filesize {
            write_varint_field(&mut out, FIELD_FILESIZE, filesize);
        }
        for size in &self.blocksizes {
            write_varint_field(&mut out, FIELD_BLOCKSIZES, *size);
        }
        if let Some(hash_type) = self.hash_type {
            write_varint_field(&mut out, FIELD_HASH_TYPE, hash_type);
        }
        if let Some(fanout) = self.fanout {
            write_varint_field(&mut out, FIELD_FANOUT, fanout);
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, UnixFsError> {
        let mut node_type = None;
        let mut message = Self::of_type(NodeType::Raw);
        for field in FieldReader::new(bytes) {
            match field? {
                (FIELD_TYPE, FieldValue::Varint(code)) => {
                    node_type =
                        Some(NodeType::from_code(code).ok_or(UnixFsError::UnknownType(code))?)
                }
                (FIELD_DATA, FieldValue::Bytes(data)) => message.data = Some(data.to_vec()),
                (FIELD_FILESIZE, FieldValue::Varint(size)) => message.filesize = Some(size),
                (FIELD_BLOCKSIZES, FieldValue::Varint(size)) => message.blocksizes.push(size),
                (FIELD_BLOCKSIZES, FieldValue::Bytes(mut packed)) => {
                    // Some encoders pack repeated varints; accept both forms.
                    while !packed.is_empty() {
                        let (size, used) = read_varint(packed)?;
                        message.blocksizes.push(size);
                        packed = &packed[used..];
                    }
                }
                (FIELD_HASH_TYPE, FieldValue::Varint(value)) => message.hash_type = Some(value),
                (FIELD_FANOUT, FieldValue::Varint(value)) => message.fanout = Some(value),
                // Mode and mtime: the importer never writes them and the
                // reader does not need them; unknown fields are skipped too.
                _ => {}
            }
        }
        message.node_type = node_type.ok_or(UnixFsError::MissingType)?;
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_data_is_the_two_reference_bytes() {
        assert_eq!(UnixFsData::directory().encode(), vec![0x08, 0x01]);
    }

    #[test]
    fn file_of_parts_round_trips() {
        let data = UnixFsData::file_of_parts(vec![262_144, 10]);
        assert_eq!(data.filesize, Some(262_154));
        assert_eq!(UnixFsData::decode(&data.encode()), Ok(data));
    }

    #[test]
    fn a_filesize_of_two_gib_or_more_round_trips() {
        let data = UnixFsData::file_of_parts(vec![1 << 20; 4_000]);
        assert_eq!(data.filesize, Some(4_194_304_000));
        assert_eq!(UnixFsData::decode(&data.encode()), Ok(data));
    }

    /// ipfs-unixfs 11.2.5 (protons-runtime 5.6.0) writes a filesize of
    /// 2^31 or more as a broken varint: for 4,194,304,000 it wrote
    /// `18 00 ec 7f 00 00`, a filesize of 0 followed by bytes no encoder
    /// writes. Such a node is refused as malformed, not read as empty.
    #[test]
    fn a_filesize_written_as_a_broken_varint_is_refused() {
        let mut bytes = vec![0x08, 0x02, 0x18, 0x00, 0xec, 0x7f, 0x00, 0x00];
        bytes.extend([0x20, 0x80, 0x80, 0x40].repeat(3));
        assert!(matches!(
            UnixFsData::decode(&bytes),
            Err(UnixFsError::Wire(_))
        ));
    }

    #[test]
    fn packed_blocksizes_decode_too() {
        // Type=File, blocksizes packed [300, 1]
        let bytes = [0x08, 0x02, 0x22, 0x03, 0xac, 0x02, 0x01];
        assert_eq!(UnixFsData::decode(&bytes).unwrap().blocksizes, vec![300, 1]);
    }
}
