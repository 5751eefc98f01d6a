//! The packer as scripts call it (`window.wasmBindings`): the benches and
//! the conformance stories drive it directly, on every hashing path.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::Blob;

use super::{pack_blob_hashing, Hashing};
use crate::ipfs::block::sha256_multihash;
use crate::ipfs::ImportProfile;

/// The packer for pages and scripts:
/// `await wasmBindings.packBlob(blob, wrapAs?, profile?, onProgress?, hashWorkers?)`
/// resolves to `{ root, file, car, carBytes, wasmMemoryBytes }`.
/// `hashWorkers` is how many workers hash the leaves, 0 for the page's
/// thread alone; without it, the app's own choice ([`Hashing::Auto`]).
#[wasm_bindgen(js_name = packBlob)]
pub async fn pack_blob_for_js(
    blob: Blob,
    wrap_as: Option<String>,
    profile: Option<String>,
    on_progress: Option<Function>,
    hash_workers: Option<u32>,
) -> Result<JsValue, JsValue> {
    pack_for_script(blob, wrap_as, profile, on_progress, hash_workers).await
}

/// A split point: the packer loads with the first call, not with the app.
#[leptos::lazy]
async fn pack_for_script(
    blob: Blob,
    wrap_as: Option<String>,
    profile: Option<String>,
    on_progress: Option<Function>,
    hash_workers: Option<u32>,
) -> Result<JsValue, JsValue> {
    let hashing = match hash_workers {
        None => Hashing::Auto,
        Some(0) => Hashing::InPage,
        Some(count) => Hashing::Workers(count),
    };
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
    let packed = pack_blob_hashing(&blob, wrap_as.as_deref(), profile, hashing, report)
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
