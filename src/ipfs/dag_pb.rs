//! The dag-pb codec (https://ipld.io/specs/codecs/dag-pb/spec/): the
//! protobuf envelope around UnixFS nodes. Links are written before Data, as
//! the spec's canonical form requires.

use cid::Cid;
use thiserror::Error;

use super::protobuf::{write_bytes_field, write_varint_field, FieldReader, FieldValue, WireError};

const LINK_HASH: u32 = 1;
const LINK_NAME: u32 = 2;
const LINK_TSIZE: u32 = 3;
const NODE_DATA: u32 = 1;
const NODE_LINKS: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DagPbError {
    #[error("malformed dag-pb node: {0}")]
    Wire(#[from] WireError),
    #[error("malformed dag-pb node: a link holds an invalid CID")]
    InvalidLinkCid,
    #[error("malformed dag-pb node: a link name is not UTF-8")]
    InvalidLinkName,
    #[error("malformed dag-pb node: unexpected field {0}")]
    UnexpectedField(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbLink {
    pub hash: Cid,
    /// UnixFS writes an empty name for file parts, and the entry name for
    /// directory entries; `None` omits the field.
    pub name: Option<String>,
    /// Cumulative size of the linked sub-DAG's encoded blocks.
    pub tsize: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PbNode {
    pub links: Vec<PbLink>,
    pub data: Option<Vec<u8>>,
}

impl PbNode {
    /// Encodes the node. Links are written in the order given: callers that
    /// build directories sort them by name first, as the spec requires.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut link_bytes = Vec::new();
        for link in &self.links {
            link_bytes.clear();
            write_bytes_field(&mut link_bytes, LINK_HASH, &link.hash.to_bytes());
            if let Some(name) = &link.name {
                write_bytes_field(&mut link_bytes, LINK_NAME, name.as_bytes());
            }
            if let Some(tsize) = link.tsize {
                write_varint_field(&mut link_bytes, LINK_TSIZE, tsize);
            }
            write_bytes_field(&mut out, NODE_LINKS, &link_bytes);
        }
        if let Some(data) = &self.data {
            write_bytes_field(&mut out, NODE_DATA, data);
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DagPbError> {
        let mut node = PbNode::default();
        for field in FieldReader::new(bytes) {
            match field? {
                (NODE_LINKS, FieldValue::Bytes(link)) => node.links.push(decode_link(link)?),
                (NODE_DATA, FieldValue::Bytes(data)) => node.data = Some(data.to_vec()),
                (number, _) => return Err(DagPbError::UnexpectedField(number)),
            }
        }
        Ok(node)
    }
}

fn decode_link(bytes: &[u8]) -> Result<PbLink, DagPbError> {
    let mut hash = None;
    let mut name = None;
    let mut tsize = None;
    for field in FieldReader::new(bytes) {
        match field? {
            (LINK_HASH, FieldValue::Bytes(cid)) => {
                hash = Some(Cid::try_from(cid).map_err(|_| DagPbError::InvalidLinkCid)?)
            }
            (LINK_NAME, FieldValue::Bytes(text)) => {
                name = Some(
                    String::from_utf8(text.to_vec()).map_err(|_| DagPbError::InvalidLinkName)?,
                )
            }
            (LINK_TSIZE, FieldValue::Varint(size)) => tsize = Some(size),
            (number, _) => return Err(DagPbError::UnexpectedField(number)),
        }
    }
    Ok(PbLink {
        hash: hash.ok_or(DagPbError::InvalidLinkCid)?,
        name,
        tsize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::block::{cid_v1_sha256, RAW_CODEC};

    #[test]
    fn node_round_trips_with_links_before_data() {
        let node = PbNode {
            links: vec![PbLink {
                hash: cid_v1_sha256(RAW_CODEC, b"leaf"),
                name: Some(String::new()),
                tsize: Some(4),
            }],
            data: Some(vec![0x08, 0x02]),
        };
        let bytes = node.encode();
        assert_eq!(bytes[0], 0x12, "links come first");
        assert_eq!(PbNode::decode(&bytes), Ok(node));
    }
}
