//! The CAR as it is built: its sections as the JavaScript parts of a future
//! `Blob`, so that leaves stay slices of the picked file and never enter
//! wasm memory.

use std::collections::HashMap;

use cid::Cid;
use js_sys::{Array, Uint8Array};
use web_sys::Blob;

use super::{describe, CarPart, PackError};
use crate::ipfs::car::{car_header, car_section_prefix};
use crate::ipfs::car_split::{needs_split, plan_car_parts, MAX_PART_BYTES};
use crate::ipfs::file_importer::Emitted;
use crate::ipfs::Block;

/// CAR sections gathered as JavaScript parts of a future `Blob`.
pub(super) struct CarParts {
    parts: Array,
    bytes: u64,
    /// The size of each section (length prefix, CID and data); section `i`
    /// is the JavaScript parts `2i` and `2i + 1`.
    sections: Vec<u64>,
    /// Leaves already cut from the source by the hashing workers, by chunk
    /// index, until they are placed.
    pub(super) sliced_leaves: HashMap<u64, Blob>,
}

impl CarParts {
    pub(super) fn new() -> Self {
        Self {
            parts: Array::new(),
            bytes: 0,
            sections: Vec::new(),
            sliced_leaves: HashMap::new(),
        }
    }

    fn push_prefix(&mut self, cid: &Cid, data_length: u64) {
        let prefix = car_section_prefix(cid, data_length);
        let section = prefix.len() as u64 + data_length;
        self.bytes += section;
        self.sections.push(section);
        self.parts.push(&Uint8Array::from(prefix.as_slice()));
    }

    pub(super) fn push_block(&mut self, block: &Block) {
        self.push_prefix(&block.cid, block.bytes.len() as u64);
        self.parts.push(&Uint8Array::from(block.bytes.as_slice()));
    }

    /// Places emitted items; a leaf hashed by WebCrypto is a slice of the
    /// source Blob, so its bytes are never copied.
    pub(super) fn push_emitted(
        &mut self,
        emitted: &mut Vec<Emitted>,
        source: &Blob,
        chunk_size: u64,
    ) -> Result<(), PackError> {
        for item in emitted.drain(..) {
            match item {
                Emitted::Block(block) => self.push_block(&block),
                Emitted::HashedLeaf { index, cid, size } => {
                    self.push_prefix(&cid, size);
                    let slice = match self.sliced_leaves.remove(&index) {
                        Some(slice) => slice,
                        None => {
                            let start = index * chunk_size;
                            source
                                .slice_with_f64_and_f64(start as f64, (start + size) as f64)
                                .map_err(|error| PackError::Read(describe(&error)))?
                        }
                    };
                    self.parts.push(&slice);
                }
            }
        }
        Ok(())
    }

    /// The whole CAR, and its parts when it is too large for one upload.
    pub(super) fn into_blobs(self, root: &Cid) -> Result<(Blob, u64, Vec<CarPart>), PackError> {
        let header = car_header(std::slice::from_ref(root));
        let header_bytes = header.len() as u64;
        let car_bytes = self.bytes + header_bytes;
        let assemble = |parts: &Array| {
            parts.unshift(&Uint8Array::from(header.as_slice()));
            Blob::new_with_u8_array_sequence(parts)
                .map_err(|error| PackError::Assemble(describe(&error)))
        };
        let mut car_parts = Vec::new();
        if needs_split(car_bytes) {
            for sections in plan_car_parts(header_bytes, &self.sections, MAX_PART_BYTES) {
                let bytes = header_bytes + self.sections[sections.clone()].iter().sum::<u64>();
                let parts = self
                    .parts
                    .slice(2 * sections.start as u32, 2 * sections.end as u32);
                car_parts.push(CarPart {
                    car: assemble(&parts)?,
                    bytes,
                });
            }
        }
        Ok((assemble(&self.parts)?, car_bytes, car_parts))
    }
}
