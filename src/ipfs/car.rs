//! CARv1 archives (https://ipld.io/specs/transport/car/carv1/): a dag-cbor
//! header naming the roots, then length-prefixed (CID, bytes) sections.
//! The reader verifies every block against its CID before handing it out.

use std::collections::HashMap;
use std::io::{self, Write};

use cid::Cid;
use thiserror::Error;

use super::block::{verify_block, Block, BlockError};
use super::protobuf::{read_varint, write_varint};

/// CBOR tag 42 marks a CID in dag-cbor; its byte string starts with the
/// multibase identity prefix 0x00.
const CBOR_CID_TAG: u8 = 42;

#[derive(Debug, Error)]
pub enum CarError {
    #[error("not a CAR file: {0}")]
    MalformedHeader(&'static str),
    #[error("unsupported CAR version {0}; only version 1 is read")]
    UnsupportedVersion(u64),
    #[error("the CAR file is cut short at byte {0}")]
    Truncated(usize),
    #[error("the CAR file holds an invalid CID at byte {0}")]
    InvalidCid(usize),
    #[error(transparent)]
    Block(#[from] BlockError),
    #[error("the CAR file does not hold block {0}")]
    MissingBlock(Cid),
    #[error("the CAR file has {0} roots; exactly one was expected")]
    RootCount(usize),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The header of a CARv1 with the given roots, length prefix included.
pub fn car_header(roots: &[Cid]) -> Vec<u8> {
    let mut cbor = Vec::new();
    cbor.push(0xa2); // map of two entries; keys in dag-cbor's length-first order
    cbor_text(&mut cbor, "roots");
    cbor_head(&mut cbor, 4, roots.len() as u64);
    for root in roots {
        let cid_bytes = root.to_bytes();
        cbor.extend_from_slice(&[0xd8, CBOR_CID_TAG]);
        cbor_head(&mut cbor, 2, cid_bytes.len() as u64 + 1);
        cbor.push(0x00);
        cbor.extend_from_slice(&cid_bytes);
    }
    cbor_text(&mut cbor, "version");
    cbor.push(0x01);

    let mut out = Vec::with_capacity(cbor.len() + 2);
    write_varint(&mut out, cbor.len() as u64);
    out.extend_from_slice(&cbor);
    out
}

/// What comes before a block's bytes in its section: the varint length of
/// CID and bytes together, then the CID. Writers that keep the bytes
/// elsewhere (a browser Blob) place the two side by side.
pub fn car_section_prefix(cid: &Cid, data_length: u64) -> Vec<u8> {
    let cid_bytes = cid.to_bytes();
    let mut prefix = Vec::with_capacity(10 + cid_bytes.len());
    write_varint(&mut prefix, cid_bytes.len() as u64 + data_length);
    prefix.extend_from_slice(&cid_bytes);
    prefix
}

/// One block's section: varint length, CID, bytes.
pub fn write_car_block(out: &mut impl Write, block: &Block) -> io::Result<()> {
    out.write_all(&car_section_prefix(&block.cid, block.bytes.len() as u64))?;
    out.write_all(&block.bytes)
}

/// A whole CAR in memory, blocks in the order given.
pub fn encode_car(root: &Cid, blocks: &[Block]) -> Vec<u8> {
    let mut out = car_header(std::slice::from_ref(root));
    for block in blocks {
        write_car_block(&mut out, block).expect("writing to a Vec cannot fail");
    }
    out
}

fn cbor_head(out: &mut Vec<u8>, major: u8, value: u64) {
    let major = major << 5;
    match value {
        0..=23 => out.push(major | value as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, value as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 3, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// A parsed, verified CAR: its roots and its blocks by CID.
#[derive(Debug, Default)]
pub struct Car {
    pub roots: Vec<Cid>,
    pub blocks: Vec<Block>,
    index: HashMap<Cid, usize>,
}

impl Car {
    /// Parses a CARv1 and verifies every block's hash; the first block
    /// whose bytes do not match its CID fails the whole archive.
    pub fn read(bytes: &[u8]) -> Result<Self, CarError> {
        let (header_length, used) = read_varint(bytes).map_err(|_| CarError::Truncated(0))?;
        let header_end = used
            .checked_add(header_length as usize)
            .filter(|end| *end <= bytes.len())
            .ok_or(CarError::Truncated(used))?;
        let roots = parse_header(&bytes[used..header_end])?;

        let mut car = Car {
            roots,
            ..Car::default()
        };
        let mut position = header_end;
        while position < bytes.len() {
            let (section_length, used) =
                read_varint(&bytes[position..]).map_err(|_| CarError::Truncated(position))?;
            let section_start = position + used;
            let section_end = section_start
                .checked_add(section_length as usize)
                .filter(|end| *end <= bytes.len())
                .ok_or(CarError::Truncated(position))?;
            let section = &bytes[section_start..section_end];
            let mut reader = io::Cursor::new(section);
            let cid =
                Cid::read_bytes(&mut reader).map_err(|_| CarError::InvalidCid(section_start))?;
            let data = &section[reader.position() as usize..];
            verify_block(&cid, data)?;
            car.index.insert(cid, car.blocks.len());
            car.blocks.push(Block {
                cid,
                bytes: data.to_vec(),
            });
            position = section_end;
        }
        Ok(car)
    }

    pub fn block(&self, cid: &Cid) -> Result<&Block, CarError> {
        self.index
            .get(cid)
            .map(|&index| &self.blocks[index])
            .ok_or(CarError::MissingBlock(*cid))
    }

    pub fn single_root(&self) -> Result<Cid, CarError> {
        match self.roots.as_slice() {
            [root] => Ok(*root),
            roots => Err(CarError::RootCount(roots.len())),
        }
    }
}

/// Reads the `{roots, version}` header map; any other shape is refused.
fn parse_header(cbor: &[u8]) -> Result<Vec<Cid>, CarError> {
    let mut reader = CborReader {
        bytes: cbor,
        position: 0,
    };
    let entries = reader.head_of(5, "the header is not a map")?;
    let mut roots = None;
    let mut version = None;
    for _ in 0..entries {
        let key_length = reader.head_of(3, "a header key is not text")?;
        match reader.take(key_length as usize)? {
            b"roots" => {
                let count = reader.head_of(4, "roots is not a list")?;
                let mut list = Vec::new();
                for _ in 0..count {
                    list.push(reader.cid()?);
                }
                roots = Some(list);
            }
            b"version" => version = Some(reader.head_of(0, "version is not a number")?),
            _ => return Err(CarError::MalformedHeader("unexpected header key")),
        }
    }
    match version {
        Some(1) => {}
        Some(other) => return Err(CarError::UnsupportedVersion(other)),
        None => return Err(CarError::MalformedHeader("no version")),
    }
    roots.ok_or(CarError::MalformedHeader("no roots"))
}

struct CborReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> CborReader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], CarError> {
        let end = self.position + count;
        let slice = self
            .bytes
            .get(self.position..end)
            .ok_or(CarError::MalformedHeader("the header is cut short"))?;
        self.position = end;
        Ok(slice)
    }

    fn head_of(&mut self, major: u8, wrong_type: &'static str) -> Result<u64, CarError> {
        let initial = self.take(1)?[0];
        if initial >> 5 != major {
            return Err(CarError::MalformedHeader(wrong_type));
        }
        let extra = match initial & 0x1f {
            small @ 0..=23 => return Ok(u64::from(small)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => {
                return Err(CarError::MalformedHeader(
                    "indefinite lengths are not dag-cbor",
                ))
            }
        };
        Ok(self
            .take(extra)?
            .iter()
            .fold(0u64, |value, byte| value << 8 | u64::from(*byte)))
    }

    fn cid(&mut self) -> Result<Cid, CarError> {
        let tag = self.take(2)?;
        if tag != [0xd8, CBOR_CID_TAG] {
            return Err(CarError::MalformedHeader("a root is not a CID"));
        }
        let length = self.head_of(2, "a root is not a CID")?;
        let bytes = self.take(length as usize)?;
        match bytes.split_first() {
            Some((0x00, cid)) => {
                Cid::try_from(cid).map_err(|_| CarError::MalformedHeader("a root is not a CID"))
            }
            _ => Err(CarError::MalformedHeader("a root is not a CID")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::block::RAW_CODEC;

    #[test]
    fn car_round_trips_and_names_its_root() {
        let block = Block::new(RAW_CODEC, vec![21, 31]);
        let car = Car::read(&encode_car(&block.cid, std::slice::from_ref(&block))).unwrap();
        assert_eq!(car.single_root().unwrap(), block.cid);
        assert_eq!(car.block(&block.cid).unwrap(), &block);
    }

    #[test]
    fn header_matches_the_reference_bytes() {
        let root: Cid = "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y"
            .parse()
            .unwrap();
        let header = car_header(&[root]);
        // 0x3a = 58 header bytes; a2 65 "roots" 81 d8 2a 58 25 00 <36-byte cid> 67 "version" 01
        assert_eq!(
            &header[..10],
            &[0x3a, 0xa2, 0x65, b'r', b'o', b'o', b't', b's', 0x81, 0xd8]
        );
        assert_eq!(header.len(), 59);
        assert_eq!(&header[header.len() - 9..], b"\x67version\x01");
    }

    #[test]
    fn a_tampered_block_is_refused_naming_its_cid() {
        let block = Block::new(RAW_CODEC, b"original".to_vec());
        let mut bytes = encode_car(&block.cid, std::slice::from_ref(&block));
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        let error = Car::read(&bytes).unwrap_err();
        assert!(
            matches!(error, CarError::Block(BlockError::HashMismatch { cid }) if cid == block.cid),
            "{error}"
        );
        assert!(error.to_string().contains(&block.cid.to_string()));
    }

    #[test]
    fn a_cut_short_car_is_refused() {
        let block = Block::new(RAW_CODEC, b"original".to_vec());
        let bytes = encode_car(&block.cid, std::slice::from_ref(&block));
        assert!(matches!(
            Car::read(&bytes[..bytes.len() - 3]),
            Err(CarError::Truncated(_))
        ));
    }
}
