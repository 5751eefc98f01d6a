//! Packing a browser `Blob` (a picked file) into UnixFS blocks and a CAR,
//! with progress, without holding the file in wasm memory and without
//! freezing the page: the file is read in slices and every read is awaited,
//! so the event loop runs between slices.
//!
//! Leaves are hashed with WebCrypto (`SubtleCrypto.digest`) where the page
//! has it: measured in Chromium (`npm run bench`), it hashes several times
//! faster than the sha2 crate compiled to wasm, and the leaf bytes then never
//! enter wasm memory at all; the CAR refers to slices of the original Blob.
//! Files of more than 4 MiB are read and hashed by a pool of workers
//! ([`hash_pool`]), one per core; smaller ones, and pages that cannot start
//! workers, on the page's thread. Pages without WebCrypto (plain http off
//! localhost) hash in wasm instead.

use std::cell::Cell;
use std::collections::VecDeque;

use cid::Cid;
use js_sys::{Array, Promise, Reflect, Uint8Array};
use thiserror::Error;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStreamDefaultReader, SubtleCrypto};

use crate::ipfs::block::{cid_v1_from_sha256_digest, RAW_CODEC};
use crate::ipfs::directory::{DirectoryError, DirectoryPlan};
use crate::ipfs::file_importer::{DagLink, Emitted, FileImporter};
use crate::ipfs::ImportProfile;

mod car_parts;
mod for_scripts;
mod hash_pool;

use car_parts::CarParts;
use hash_pool::{workers_for_this_device, HashPool};

/// Bytes read per step where the file is hashed in wasm: large enough that
/// the per-read cost vanishes, small enough that a step takes milliseconds.
const SLICE_BYTES: u64 = 4 << 20;

#[derive(Debug, Error)]
pub enum PackError {
    #[error("the browser could not read the file: {0}")]
    Read(String),
    #[error("the browser could not hash the file: {0}")]
    Hash(String),
    #[error("a hashing worker stopped: {0}")]
    HashWorkerStopped(String),
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
    /// A CARv1 holding every block, the root named in its header.
    pub car: Blob,
    pub car_bytes: u64,
    /// The same blocks as CARs of at most 50 MiB each, every one with the
    /// root in its header, when the whole is too large for one upload (see
    /// [`crate::ipfs::car_split`]); empty otherwise.
    pub car_parts: Vec<CarPart>,
}

/// One CAR of a split upload.
#[derive(Clone)]
pub struct CarPart {
    pub car: Blob,
    pub bytes: u64,
}

/// Where the leaves are hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashing {
    /// A worker per core for files of more than [`STRIPE_BYTES`], the
    /// page's thread for smaller ones.
    Auto,
    /// The page's thread alone.
    InPage,
    /// This many workers, whatever the file's size (for `npm run bench`).
    Workers(u32),
}

/// Bytes of a worker's answer (a stripe of its region): whole leaves of
/// either profile (256 KiB or 1 MiB), and enough that an answer's cost
/// vanishes. Files up to this size are hashed on the page.
const STRIPE_BYTES: u64 = 4 << 20;

thread_local! {
    /// Set once a worker has stopped in this page (its script missing from
    /// the host, say), so later packs go straight to the page's thread.
    static WORKERS_STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// Packs `blob`; with `wrap_as`, inside a directory holding it under that
/// name, so `ipfs://<root>/<name>` keeps the file name. `on_progress` gets
/// (bytes hashed, total bytes) after every slice.
pub async fn pack_blob(
    blob: &Blob,
    wrap_as: Option<&str>,
    profile: ImportProfile,
    on_progress: impl FnMut(u64, u64),
) -> Result<PackedBlob, PackError> {
    pack_blob_hashing(blob, wrap_as, profile, Hashing::Auto, on_progress).await
}

/// [`pack_blob`], hashing where `hashing` says.
pub async fn pack_blob_hashing(
    blob: &Blob,
    wrap_as: Option<&str>,
    profile: ImportProfile,
    hashing: Hashing,
    mut on_progress: impl FnMut(u64, u64),
) -> Result<PackedBlob, PackError> {
    let mut car = CarParts::new();
    let total = blob.size() as u64;
    on_progress(0, total);
    let subtle = subtle_crypto();
    let pool = match hashing {
        Hashing::Auto if total > STRIPE_BYTES && subtle.is_some() && !WORKERS_STOPPED.get() => {
            // No more workers than the file has stripes for; a page that
            // cannot start workers at all still packs, on its own thread.
            let useful = total.div_ceil(STRIPE_BYTES).min(u64::from(u32::MAX)) as u32;
            HashPool::start(workers_for_this_device().min(useful)).ok()
        }
        Hashing::Workers(_) if subtle.is_none() => {
            return Err(PackError::Hash(
                "workers hash with WebCrypto, which this page does not have".into(),
            ))
        }
        Hashing::Workers(count) => Some(HashPool::start(count)?),
        Hashing::Auto | Hashing::InPage => None,
    };
    let pooled = match pool {
        Some(pool) => {
            Some(import_with_pool(&pool, blob, profile, &mut car, &mut on_progress).await)
        }
        None => None,
    };
    let file = match (pooled, subtle) {
        // The app's own choice of workers gives way to the page's thread when
        // a worker stops (its script missing from a host, say): the file is
        // still there, so the user loses nothing but time.
        (Some(Err(PackError::HashWorkerStopped(reason))), Some(subtle))
            if hashing == Hashing::Auto =>
        {
            WORKERS_STOPPED.set(true);
            web_sys::console::warn_1(
                &format!(
                    "Minty: hashing on the page instead, as a hashing worker stopped: {reason}"
                )
                .into(),
            );
            car = CarParts::new();
            on_progress(0, total);
            import_with_webcrypto(&subtle, blob, profile, &mut car, &mut on_progress).await?
        }
        (Some(pooled), _) => pooled?,
        (None, Some(subtle)) => {
            import_with_webcrypto(&subtle, blob, profile, &mut car, &mut on_progress).await?
        }
        (None, None) => import_in_wasm(blob, profile, &mut car, &mut on_progress).await?,
    };
    let root = match wrap_as {
        Some(name) => {
            let mut plan = DirectoryPlan::new(profile, &[name])?;
            plan.record_file(0, file.cid, file.dag_size);
            let blocks = plan.close_directory(0);
            blocks.iter().for_each(|block| car.push_block(block));
            blocks.last().expect("a directory has a block").cid
        }
        None => file.cid,
    };
    let (car, car_bytes, car_parts) = car.into_blobs(&root)?;
    Ok(PackedBlob {
        root,
        file: file.cid,
        car,
        car_bytes,
        car_parts,
    })
}

fn subtle_crypto() -> Option<SubtleCrypto> {
    let crypto = web_sys::window()?.crypto().ok()?;
    // `subtle` is undefined outside secure contexts.
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    (!subtle.is_undefined()).then(|| subtle.unchecked_into())
}

async fn import_with_webcrypto(
    subtle: &SubtleCrypto,
    blob: &Blob,
    profile: ImportProfile,
    car: &mut CarParts,
    on_progress: &mut impl FnMut(u64, u64),
) -> Result<DagLink, PackError> {
    let total = blob.size() as u64;
    let chunk_size = profile.chunk_size as u32;
    let mut importer = FileImporter::new(profile);
    let mut emitted = Vec::new();
    let mut hashing = VecDeque::new();
    let mut hashed_bytes = 0;
    // Reading the Blob as a stream is several times faster in Chromium than
    // reading slices with arrayBuffer() (measured: about 1 GB/s against 0.4).
    let reader: ReadableStreamDefaultReader = blob.stream().get_reader().unchecked_into();
    let mut leaf = Uint8Array::new_with_length(chunk_size);
    let mut filled = 0;
    let mut next_index = 0;
    loop {
        let result = JsFuture::from(reader.read())
            .await
            .map_err(|error| PackError::Read(describe(&error)))?;
        if Reflect::get(&result, &JsValue::from_str("done"))
            .ok()
            .and_then(|done| done.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        let piece: Uint8Array = Reflect::get(&result, &JsValue::from_str("value"))
            .map_err(|error| PackError::Read(describe(&error)))?
            .unchecked_into();
        let mut offset = 0;
        while offset < piece.length() {
            let taken = (chunk_size - filled).min(piece.length() - offset);
            leaf.set(&piece.subarray(offset, offset + taken), filled);
            filled += taken;
            offset += taken;
            if filled == chunk_size {
                hashing.push_back(start_digest(subtle, next_index, &leaf)?);
                next_index += 1;
                leaf = Uint8Array::new_with_length(chunk_size);
                filled = 0;
                // Keep several digests running while reading goes on, but
                // bound the leaves held in memory.
                if hashing.len() > MAX_DIGESTS_IN_FLIGHT {
                    hashed_bytes +=
                        settle_digest(&mut hashing, &mut importer, &mut emitted).await?;
                    car.push_emitted(&mut emitted, blob, chunk_size.into())?;
                    on_progress(hashed_bytes, total);
                }
            }
        }
    }
    if filled > 0 {
        hashing.push_back(start_digest(subtle, next_index, &leaf.subarray(0, filled))?);
    }
    while !hashing.is_empty() {
        hashed_bytes += settle_digest(&mut hashing, &mut importer, &mut emitted).await?;
        car.push_emitted(&mut emitted, blob, chunk_size.into())?;
        on_progress(hashed_bytes, total);
    }
    let file = importer.finish_emitting(&mut emitted);
    car.push_emitted(&mut emitted, blob, chunk_size.into())?;
    Ok(file)
}

/// The largest region a worker streams in one go: long streams read
/// fastest, and regions of at most this size still share a large file's
/// work out evenly.
const MAX_REGION_BYTES: u64 = 64 << 20;

async fn import_with_pool(
    pool: &HashPool,
    blob: &Blob,
    profile: ImportProfile,
    car: &mut CarParts,
    on_progress: &mut impl FnMut(u64, u64),
) -> Result<DagLink, PackError> {
    let total = blob.size() as u64;
    let leaf_bytes = profile.chunk_size as u64;
    let stripe_bytes = (STRIPE_BYTES / leaf_bytes).max(1) * leaf_bytes;
    // A region per worker, in whole stripes, unless the file is large.
    let region_bytes = total
        .div_ceil(pool.size() as u64)
        .clamp(stripe_bytes, MAX_REGION_BYTES)
        .next_multiple_of(stripe_bytes);
    let mut importer = FileImporter::new(profile);
    let mut emitted = Vec::new();
    // Every region is sent at once: a stripe's promise is all the page
    // holds until its digests arrive.
    let mut hashing = VecDeque::new();
    let mut region_start = 0;
    while region_start < total {
        let region_end = (region_start + region_bytes).min(total);
        let worker = (region_start / region_bytes) as usize;
        let stripes = pool.hash_region(
            worker,
            blob,
            (region_start, region_end),
            leaf_bytes,
            stripe_bytes,
        )?;
        let mut stripe_start = region_start;
        for stripe in stripes {
            let stripe_end = (stripe_start + stripe_bytes).min(region_end);
            hashing.push_back((stripe_start, stripe_end, stripe));
            stripe_start = stripe_end;
        }
        region_start = region_end;
    }
    // Stripes are settled in file order, the order the tree needs.
    while let Some((start, end, stripe)) = hashing.pop_front() {
        let answer = JsFuture::from(stripe)
            .await
            .map_err(|error| match pool.broken() {
                Some(reason) => PackError::HashWorkerStopped(reason),
                None => PackError::Hash(describe(&error)),
            })?;
        let field =
            |name: &str| Reflect::get(&answer, &JsValue::from_str(name)).unwrap_or_default();
        let digests = Uint8Array::new(&field("digests")).to_vec();
        let slices = Array::from(&field("slices"));
        let leaves = (end - start).div_ceil(leaf_bytes);
        if digests.len() as u64 != 32 * leaves || u64::from(slices.length()) != leaves {
            return Err(PackError::Hash(format!(
                "a hashing worker answered for {} leaves, with {} slices, instead of {leaves}",
                digests.len() / 32,
                slices.length()
            )));
        }
        for ((leaf, digest), slice) in digests.chunks_exact(32).enumerate().zip(slices.iter()) {
            let offset = start + leaf as u64 * leaf_bytes;
            let cid = cid_v1_from_sha256_digest(RAW_CODEC, digest)
                .ok_or_else(|| PackError::Hash("SHA-256 did not give 32 bytes".into()))?;
            let size = leaf_bytes.min(end - offset);
            let index = offset / leaf_bytes;
            car.sliced_leaves.insert(index, slice.unchecked_into());
            importer.push_hashed_leaf(index, cid, size, &mut emitted);
        }
        car.push_emitted(&mut emitted, blob, leaf_bytes)?;
        on_progress(end, total);
    }
    let file = importer.finish_emitting(&mut emitted);
    car.push_emitted(&mut emitted, blob, leaf_bytes)?;
    Ok(file)
}

/// Leaves being hashed at once by WebCrypto.
const MAX_DIGESTS_IN_FLIGHT: usize = 16;

/// A leaf whose digest is under way: (chunk index, size, digest promise).
type PendingDigest = (u64, u64, Promise);

fn start_digest(
    subtle: &SubtleCrypto,
    index: u64,
    leaf: &Uint8Array,
) -> Result<PendingDigest, PackError> {
    // digest() copies the bytes when called, so the buffer may be reused.
    subtle
        .digest_with_str_and_js_u8_array("SHA-256", leaf)
        .map(|promise| (index, u64::from(leaf.length()), promise))
        .map_err(|error| PackError::Hash(describe(&error)))
}

/// Waits for the oldest digest and adds its leaf, returning its size.
async fn settle_digest(
    hashing: &mut VecDeque<PendingDigest>,
    importer: &mut FileImporter,
    emitted: &mut Vec<Emitted>,
) -> Result<u64, PackError> {
    let (index, size, promise) = hashing.pop_front().expect("a digest is pending");
    let digest = JsFuture::from(promise)
        .await
        .map_err(|error| PackError::Hash(describe(&error)))?;
    let cid = cid_v1_from_sha256_digest(RAW_CODEC, &Uint8Array::new(&digest).to_vec())
        .ok_or_else(|| PackError::Hash("SHA-256 did not give 32 bytes".into()))?;
    importer.push_hashed_leaf(index, cid, size, emitted);
    Ok(size)
}

async fn import_in_wasm(
    blob: &Blob,
    profile: ImportProfile,
    car: &mut CarParts,
    on_progress: &mut impl FnMut(u64, u64),
) -> Result<DagLink, PackError> {
    let total = blob.size() as u64;
    let mut importer = FileImporter::new(profile);
    let mut blocks = Vec::new();
    let mut offset = 0;
    while offset < total {
        let end = (offset + SLICE_BYTES).min(total);
        let bytes = Uint8Array::new(&read_slice(blob, offset, end).await?).to_vec();
        importer.write(&bytes, &mut blocks);
        blocks.drain(..).for_each(|block| car.push_block(&block));
        offset = end;
        on_progress(offset, total);
    }
    let file = importer.finish(&mut blocks);
    blocks.drain(..).for_each(|block| car.push_block(&block));
    Ok(file)
}

async fn read_slice(blob: &Blob, start: u64, end: u64) -> Result<JsValue, PackError> {
    let slice = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|error| PackError::Read(describe(&error)))?;
    JsFuture::from(slice.array_buffer())
        .await
        .map_err(|error| PackError::Read(describe(&error)))
}

/// A Blob holding a copy of `bytes`, typed when a media type is given.
pub fn blob_of_bytes(bytes: &[u8], media_type: Option<&str>) -> Option<Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    if let Some(media_type) = media_type {
        options.set_type(media_type);
    }
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
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
