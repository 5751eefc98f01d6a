//! A pool of Web Workers (public/hash-worker.js) that hash a file's leaves
//! with WebCrypto. Each worker streams its own regions of the file, so
//! reading and hashing spread over the cores, while the page's thread only
//! builds the tree and the CAR, whose leaves stay slices of the original
//! file.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{Blob, Event, MessageEvent, Worker};

use super::{describe, PackError};

/// Where `trunk` puts public/hash-worker.js: the site's root.
const WORKER_SCRIPT: &str = "/hash-worker.js";

/// More workers than this only add start-up cost; hashing is memory-bound
/// well before.
const MAX_WORKERS: u32 = 8;

/// How many workers suit this device: one per logical core, as the browser
/// reports them.
pub fn workers_for_this_device() -> u32 {
    web_sys::window()
        .map(|window| window.navigator().hardware_concurrency() as u32)
        .unwrap_or(1)
        .clamp(1, MAX_WORKERS)
}

/// The resolve and reject functions of a stripe's promise.
struct Settle {
    resolve: Function,
    reject: Function,
}

type Waiting = Rc<RefCell<HashMap<u32, Settle>>>;
type Broken = Rc<RefCell<Option<String>>>;

struct PoolWorker {
    worker: Worker,
    waiting: Waiting,
    // Held so the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

pub struct HashPool {
    workers: Vec<PoolWorker>,
    /// Why a worker stopped (its script failed to load, or it crashed), once
    /// one has.
    broken: Broken,
    next_id: Cell<u32>,
    // Marks every stripe's promise as handled: after one stripe fails, the
    // rest are never awaited, and their rejections are no news.
    ignore_rejection: Closure<dyn FnMut(JsValue)>,
}

impl HashPool {
    /// Starts `size` workers (1 to [`MAX_WORKERS`]). Fails when the page
    /// cannot start workers at all; a worker whose script fails to load
    /// rejects every stripe sent to it, and marks the pool broken.
    pub fn start(size: u32) -> Result<Self, PackError> {
        let broken = Broken::default();
        let workers = (0..size.clamp(1, MAX_WORKERS))
            .map(|_| PoolWorker::start(&broken))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            workers,
            broken,
            next_id: Cell::new(0),
            ignore_rejection: Closure::new(|_| {}),
        })
    }

    pub fn size(&self) -> usize {
        self.workers.len()
    }

    /// Why a worker stopped, if one has: then the pool is no use, unlike a
    /// stripe the worker itself refused (a file that changed, say).
    pub fn broken(&self) -> Option<String> {
        self.broken.borrow().clone()
    }

    /// Sends `blob[start..end)` to worker number `worker` (modulo the
    /// pool's size), which streams it and hashes it, and returns a promise
    /// per `stripe_bytes` stripe of it, in order: each resolves to
    /// `{ digests, slices }`, one Uint8Array of the SHA-256 of its
    /// `leaf_bytes` leaves (the last leaf of the region may be shorter),
    /// 32 bytes per leaf, and an Array of those leaves as slices of `blob`.
    /// A worker handles its regions one after another.
    pub fn hash_region(
        &self,
        worker: usize,
        blob: &Blob,
        (start, end): (u64, u64),
        leaf_bytes: u64,
        stripe_bytes: u64,
    ) -> Result<Vec<Promise>, PackError> {
        let worker = &self.workers[worker % self.workers.len()];
        let stripes = (end - start).div_ceil(stripe_bytes);
        let ids = Array::new();
        let promises = (0..stripes)
            .map(|_| {
                let id = self.next_id.get();
                self.next_id.set(id.wrapping_add(1));
                ids.push(&JsValue::from(id));
                let promise = Promise::new(&mut |resolve, reject| {
                    worker
                        .waiting
                        .borrow_mut()
                        .insert(id, Settle { resolve, reject });
                });
                let _ = promise.catch(&self.ignore_rejection);
                promise
            })
            .collect();
        let message = Object::new();
        for (key, value) in [
            ("ids", ids.clone().into()),
            ("blob", blob.into()),
            ("start", JsValue::from_f64(start as f64)),
            ("end", JsValue::from_f64(end as f64)),
            ("leafBytes", JsValue::from_f64(leaf_bytes as f64)),
            ("stripeBytes", JsValue::from_f64(stripe_bytes as f64)),
        ] {
            Reflect::set(&message, &JsValue::from_str(key), &value)
                .map_err(|error| PackError::Hash(describe(&error)))?;
        }
        worker
            .worker
            .post_message(&message)
            .map_err(|error| PackError::Hash(describe(&error)))?;
        Ok(promises)
    }
}

impl Drop for PoolWorker {
    // Also runs for the workers already started when a later one fails to
    // start. Whatever is still pending is no longer awaited.
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
        self.waiting.borrow_mut().clear();
    }
}

impl PoolWorker {
    fn start(broken: &Broken) -> Result<Self, PackError> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|error| {
            PackError::Hash(format!(
                "the browser could not start a hashing worker: {}",
                describe(&error)
            ))
        })?;
        let waiting: Waiting = Rc::default();
        let on_message = {
            let waiting = waiting.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                settle(&waiting, &event.data());
            })
        };
        let on_error = {
            let waiting = waiting.clone();
            let broken = broken.clone();
            Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                // Handled here, so not reported again on the page.
                event.prevent_default();
                // An uncaught error in the worker is an ErrorEvent with a
                // message; a script that failed to load, a plain Event; an
                // answer that could not be received, a `messageerror`.
                let reason = if event.type_() == "messageerror" {
                    "an answer from it could not be received".to_owned()
                } else {
                    Reflect::get(&event, &JsValue::from_str("message"))
                        .ok()
                        .and_then(|message| message.as_string())
                        .filter(|message| !message.is_empty())
                        .unwrap_or_else(|| format!("its script ({WORKER_SCRIPT}) did not load"))
                };
                broken.borrow_mut().get_or_insert_with(|| reason.clone());
                fail(&waiting, &reason);
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            waiting,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

/// Settles what a worker's answer names: a stripe's `{ id, digests }`, or
/// a failed region's `{ ids, error }`.
fn settle(waiting: &Waiting, answer: &JsValue) {
    let field = |name: &str| Reflect::get(answer, &JsValue::from_str(name)).unwrap_or_default();
    if let Some(error) = field("error").as_string() {
        let error = JsValue::from_str(&error);
        for id in Array::from(&field("ids")).iter() {
            let removed = id
                .as_f64()
                .and_then(|id| waiting.borrow_mut().remove(&(id as u32)));
            if let Some(settle) = removed {
                let _ = settle.reject.call1(&JsValue::NULL, &error);
            }
        }
        return;
    }
    let Some(id) = field("id").as_f64() else {
        return;
    };
    let Some(settle) = waiting.borrow_mut().remove(&(id as u32)) else {
        return;
    };
    let _ = if field("digests").is_instance_of::<Uint8Array>() && Array::is_array(&field("slices"))
    {
        settle.resolve.call1(&JsValue::NULL, answer)
    } else {
        settle.reject.call1(
            &JsValue::NULL,
            &JsValue::from_str("the hashing worker answered without digests"),
        )
    };
}

fn fail(waiting: &Waiting, reason: &str) {
    let reason = JsValue::from_str(reason);
    for (_, settle) in waiting.borrow_mut().drain() {
        let _ = settle.reject.call1(&JsValue::NULL, &reason);
    }
}
