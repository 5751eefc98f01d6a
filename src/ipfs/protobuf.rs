//! Just enough of the protobuf wire format for dag-pb and UnixFS: varints,
//! length-delimited fields, and a reader that walks fields in order.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("the data ends in the middle of a field")]
    Truncated,
    #[error("a varint is longer than 64 bits")]
    VarintOverflow,
    #[error("protobuf wire type {0} is not used by dag-pb or UnixFS")]
    UnsupportedWireType(u8),
}

const WIRE_VARINT: u8 = 0;
const WIRE_LENGTH_DELIMITED: u8 = 2;

pub fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads an unsigned LEB128 varint, returning it and how many bytes it took.
pub fn read_varint(bytes: &[u8]) -> Result<(u64, usize), WireError> {
    let mut value: u64 = 0;
    for (index, byte) in bytes.iter().enumerate() {
        if index == 10 {
            return Err(WireError::VarintOverflow);
        }
        value |= u64::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Ok((value, index + 1));
        }
    }
    Err(WireError::Truncated)
}

pub fn write_varint_field(out: &mut Vec<u8>, field: u32, value: u64) {
    write_varint(out, u64::from(field << 3 | u32::from(WIRE_VARINT)));
    write_varint(out, value);
}

pub fn write_bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    write_varint(
        out,
        u64::from(field << 3 | u32::from(WIRE_LENGTH_DELIMITED)),
    );
    write_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValue<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

/// Iterates `(field number, value)` pairs in wire order.
pub struct FieldReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> FieldReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn next_varint(&mut self) -> Result<u64, WireError> {
        let (value, used) = read_varint(&self.bytes[self.position..])?;
        self.position += used;
        Ok(value)
    }

    fn next_field(&mut self) -> Result<(u32, FieldValue<'a>), WireError> {
        let key = self.next_varint()?;
        let field = (key >> 3) as u32;
        match (key & 0x7) as u8 {
            WIRE_VARINT => Ok((field, FieldValue::Varint(self.next_varint()?))),
            WIRE_LENGTH_DELIMITED => {
                let length =
                    usize::try_from(self.next_varint()?).map_err(|_| WireError::Truncated)?;
                let end = self
                    .position
                    .checked_add(length)
                    .ok_or(WireError::Truncated)?;
                let value = self
                    .bytes
                    .get(self.position..end)
                    .ok_or(WireError::Truncated)?;
                self.position = end;
                Ok((field, FieldValue::Bytes(value)))
            }
            other => Err(WireError::UnsupportedWireType(other)),
        }
    }
}

impl<'a> Iterator for FieldReader<'a> {
    type Item = Result<(u32, FieldValue<'a>), WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.position >= self.bytes.len() {
            return None;
        }
        let result = self.next_field();
        if result.is_err() {
            // Stop after the first error rather than re-reading garbage.
            self.position = self.bytes.len();
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_byte_boundaries() {
        for value in [0, 1, 127, 128, 16_383, 16_384, 262_144, u64::MAX] {
            let mut out = Vec::new();
            write_varint(&mut out, value);
            assert_eq!(read_varint(&out), Ok((value, out.len())));
        }
    }

    #[test]
    fn truncated_varint_is_an_error() {
        assert_eq!(read_varint(&[0x80, 0x80]), Err(WireError::Truncated));
    }

    #[test]
    fn reader_walks_fields_in_order() {
        let mut out = Vec::new();
        write_varint_field(&mut out, 1, 2);
        write_bytes_field(&mut out, 2, b"hi");
        let fields: Vec<_> = FieldReader::new(&out).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            fields,
            vec![(1, FieldValue::Varint(2)), (2, FieldValue::Bytes(b"hi"))]
        );
    }

    #[test]
    fn reader_refuses_a_length_past_the_end() {
        let bytes = [0x12, 0x05, b'a'];
        let result: Result<Vec<_>, _> = FieldReader::new(&bytes).collect();
        assert_eq!(result, Err(WireError::Truncated));
    }
}
