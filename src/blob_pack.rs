//! Packing a browser `Blob` (a picked file) into UnixFS blocks and a CAR,
//! with progress. The file is read in slices, so wasm memory holds one slice
//! and the tree's frontier, never the whole file; each slice read is awaited,
//! so the page keeps responding between slices. Blocks leave wasm memory at
//! once, as parts of the CAR `Blob`, copied across the boundary exactly once.

use cid::Cid;
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use thiserror::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::ipfs::block::sha256_multihash;
use crate::ipfs::car::car_header;
use crate::ipfs::directory::{DirectoryError, DirectoryPlan};
use crate::ipfs::file_importer::FileImporter;
use crate::ipfs::protobuf::write_varint;
use crate::ipfs::{Block, ImportProfile};

/// Bytes read from the Blob per step: large enough that the per-read cost
/// vanishes, small enough that a step takes a few milliseconds.
const SLICE_BYTES: u64 = 1 << 20;

#[derive(Debug, Error)]
pub enum PackError {
    #[error("the browser could not read the file: {0}")]
    Read(String),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error("the browser could not assemble the CAR: {0}")]
    Assemble(String),
}

pub struct PackedBlob {
    /// The CID to upload and cite: the wrapping directory, or the file itself.
    pub root: Cid,
    /// The file's own CID.
    pub file: Cid,
    /// A CARv1 holding every block, root first in the header.
    pub car: Blob,
    pub car_bytes: u64,
}

/// CAR sections gathered as JavaScript parts of a future `Blob`.
struct CarParts {
    parts: Array,
    bytes: u64,
}

impl CarParts {
    fn push(&mut self, block: &Block) {
        let cid_bytes = block.cid.to_bytes();
        let mut prefix = Vec::with_capacity(cid_bytes.len() + 10);
        write_varint(&mut prefix, (cid_bytes.len() + block.bytes.len()) as u64);
        prefix.extend_from_slice(&cid_bytes);
        self.bytes += (prefix.len() + block.bytes.len()) as u64;
        self.parts.push(&Uint8Array::from(prefix.as_slice()));
        self.parts.push(&Uint8Array::from(block.bytes.as_slice()));
    }

    fn into_blob(self, root: &Cid) -> Result<(Blob, u64), PackError> {
        let header = car_header(std::slice::from_ref(root));
        self.parts.unshift(&Uint8Array::from(header.as_slice()));
        let blob = Blob::new_with_u8_array_sequence(&self.parts)
            .map_err(|error| PackError::Assemble(describe(&error)))?;
        Ok((blob, self.bytes + header.len() as u64))
    }
}

/// Packs `blob`; with `wrap_as`, inside a directory holding it under that
/// name, so `ipfs://<root>/<name>` keeps the file name. `on_progress` gets
/// (bytes read, total bytes) after every slice.
pub async fn pack_blob(
    blob: &Blob,
    wrap_as: Option<&str>,
    profile: ImportProfile,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<PackedBlob, PackError> {
    let total = blob.size() as u64;
    let mut importer = FileImporter::new(profile);
    let mut car = CarParts {
        parts: Array::new(),
        bytes: 0,
    };
    let mut blocks = Vec::new();
    on_progress(0, total);
    let mut offset = 0;
    while offset < total {
        let end = (offset + SLICE_BYTES).min(total);
        let bytes = read_slice(blob, offset, end).await?;
        importer.write(&bytes, &mut blocks);
        blocks.drain(..).for_each(|block| car.push(&block));
        offset = end;
        on_progress(offset, total);
    }
    let file = importer.finish(&mut blocks);
    blocks.drain(..).for_each(|block| car.push(&block));

    let root = match wrap_as {
        Some(name) => {
            let mut plan = DirectoryPlan::new(&[name])?;
            plan.record_file(0, file.cid, file.dag_size);
            let directory = plan.close_directory(0);
            car.push(&directory);
            directory.cid
        }
        None => file.cid,
    };
    let (car, car_bytes) = car.into_blob(&root)?;
    Ok(PackedBlob {
        root,
        file: file.cid,
        car,
        car_bytes,
    })
}

async fn read_slice(blob: &Blob, start: u64, end: u64) -> Result<Vec<u8>, PackError> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|error| PackError::Read(describe(&error)))?;
    let buffer = JsFuture::from(slice.array_buffer())
        .await
        .map_err(|error| PackError::Read(describe(&error)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            Reflect::get(error, &JsValue::from_str("message"))
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| format!("{error:?}"))
}

/// The packer for pages and scripts:
/// `await wasmBindings.packBlob(blob, wrapAs?, profile?, onProgress?)`
/// resolves to `{ root, file, car, carBytes, wasmMemoryBytes }`.
#[wasm_bindgen(js_name = packBlob)]
pub async fn pack_blob_for_js(
    blob: Blob,
    wrap_as: Option<String>,
    profile: Option<String>,
    on_progress: Option<Function>,
) -> Result<JsValue, JsValue> {
    let profile: ImportProfile = match profile {
        Some(name) => name
            .parse()
            .map_err(|e| JsValue::from_str(&format!("{e}")))?,
        None => ImportProfile::default(),
    };
    let report = |done: u64, total: u64| {
        if let Some(callback) = &on_progress {
            let _ = callback.call2(
                &JsValue::NULL,
                &JsValue::from_f64(done as f64),
                &JsValue::from_f64(total as f64),
            );
        }
    };
    let packed = pack_blob(&blob, wrap_as.as_deref(), profile, report)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let result = Object::new();
    let set = |key: &str, value: JsValue| Reflect::set(&result, &JsValue::from_str(key), &value);
    set("root", JsValue::from_str(&packed.root.to_string()))?;
    set("file", JsValue::from_str(&packed.file.to_string()))?;
    set("car", packed.car.into())?;
    set("carBytes", JsValue::from_f64(packed.car_bytes as f64))?;
    set("wasmMemoryBytes", JsValue::from_f64(wasm_memory_bytes()))?;
    Ok(result.into())
}

/// SHA-256 of `bytes` as hex, with the same code every block goes through;
/// exposed so `npm run bench` can weigh it against `SubtleCrypto.digest`.
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256_multihash(bytes)
        .digest()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|memory| {
            memory
                .buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map(|b| b.byte_length() as f64)
                .unwrap_or(0.0)
        })
        .unwrap_or(0.0)
}
