//! Two stand-ins for remote pinning services, each speaking the IPFS
//! Pinning Services API (https://ipfs.github.io/pinning-services-api-spec/):
//! `POST /pins` (202 and a PinStatus), `GET /pins` with `cid` and `status`
//! filters, `GET /pins/{requestid}` and `DELETE /pins/{requestid}` (202).
//! Each is mounted at a base path of its own, `/psa/a` and `/psa/b`, with
//! its own pins, blocks and token.
//!
//! A stand-in pins as a real service does, over the network: it fetches the
//! DAG's blocks through the local path gateway (`/ipfs/{cid}?format=raw` of
//! this same server), checks each against its CID and keeps its own copy.
//! So a pin goes `queued → pinning → pinned` over real time, and a CID that
//! nobody has stays `queued`, then ends `failed` after [`FIND_TIMEOUT`],
//! with the reason in `info`.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path as FsPath;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use minty::ipfs::block::{Block, DAG_PB_CODEC};
use minty::ipfs::dag_pb::PbNode;
use minty::ipfs::Cid;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::blockstore::Blockstore;

/// The stand-ins' names: each is served at `/psa/{name}`.
pub const SERVICES: [&str; 2] = ["a", "b"];
/// How long a stand-in looks for a CID's root block before it gives up.
pub const FIND_TIMEOUT: Duration = Duration::from_secs(10);
/// The pause before each step, so the app sees every status in turn.
pub const STEP: Duration = Duration::from_millis(700);
/// A DAG larger than this is refused, as anyone can ask for a DAG bomb.
const MAX_BLOCKS: usize = 20_000;
const MAX_BYTES: u64 = 2 * super::MAX_UPLOAD_BYTES as u64;

/// The token the stand-in `name` accepts: any non-empty one, or when the
/// storage service has a required token `T`, only `T-psa-{name}`, so each
/// stand-in has a token of its own.
pub fn required_token(storage_token: Option<&str>, name: &str) -> Option<String> {
    storage_token.map(|token| format!("{token}-psa-{name}"))
}

struct Pin {
    requestid: String,
    status: &'static str,
    created: String,
    cid: String,
    name: Option<String>,
    origins: Vec<String>,
    meta: Map<String, Value>,
    info: Map<String, Value>,
}

impl Pin {
    fn to_json(&self, delegate: &str) -> Value {
        let mut pin = json!({"cid": self.cid, "origins": self.origins, "meta": self.meta});
        if let Some(name) = &self.name {
            pin["name"] = json!(name);
        }
        json!({
            "requestid": self.requestid,
            "status": self.status,
            "created": self.created,
            "pin": pin,
            "delegates": [delegate],
            "info": self.info,
        })
    }
}

struct PsaState {
    name: &'static str,
    token: Option<String>,
    /// `http://host:port` of this server, whose gateway the stand-in reads.
    gateway: String,
    blocks: Blockstore,
    pins: Mutex<BTreeMap<String, Pin>>,
    next_id: AtomicU64,
}

impl PsaState {
    /// The multiaddr the spec asks a service to offer as a delegate.
    fn delegate(&self) -> String {
        format!(
            "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWMintyStandIn{}",
            self.name.to_uppercase()
        )
    }

    fn set(&self, requestid: &str, status: &'static str, info: Option<String>) {
        if let Some(pin) = self.pins.lock().expect("pins lock").get_mut(requestid) {
            pin.status = status;
            pin.info = match info {
                Some(details) => Map::from_iter([("status_details".to_owned(), json!(details))]),
                None => Map::new(),
            };
        }
    }

    fn exists(&self, requestid: &str) -> bool {
        self.pins.lock().expect("pins lock").contains_key(requestid)
    }
}

/// The spec's error object.
fn failure(status: StatusCode, reason: &str, details: impl Into<String>) -> Response {
    let body = json!({"error": {"reason": reason, "details": details.into()}});
    (status, Json(body)).into_response()
}

/// The 401 answer for a request without the stand-in's token, if it has none.
fn refusal(state: &PsaState, headers: &HeaderMap) -> Option<Response> {
    let token = super::bearer_token(headers);
    match (token, &state.token) {
        (None, _) => Some(failure(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Access token is missing: send `Authorization: Bearer <token>`.",
        )),
        (Some(token), Some(required)) if token != required => Some(failure(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Access token is invalid.",
        )),
        _ => None,
    }
}

/// Both stand-ins, each under `/psa/{name}`, reading blocks through the
/// gateway of the server at `gateway` (`http://host:port`).
pub fn router(
    data_dir: &FsPath,
    gateway: &str,
    storage_token: Option<&str>,
) -> std::io::Result<Router> {
    let mut router = Router::new();
    for name in SERVICES {
        let state = Arc::new(PsaState {
            name,
            token: required_token(storage_token, name),
            gateway: gateway.trim_end_matches('/').to_owned(),
            blocks: Blockstore::open(data_dir.join("psa").join(name).join("blocks"))?,
            pins: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(1),
        });
        let service = Router::new()
            .route("/pins", get(list).post(add))
            .route("/pins/{requestid}", get(one).delete(remove))
            .with_state(state);
        router = router.nest(&format!("/psa/{name}"), service);
    }
    Ok(router)
}

#[derive(Deserialize)]
struct AddPin {
    cid: String,
    name: Option<String>,
    #[serde(default)]
    origins: Vec<String>,
    #[serde(default)]
    meta: Map<String, Value>,
}

/// `POST /pins`: 202 with the new request's PinStatus, `queued`.
async fn add(State(state): State<Arc<PsaState>>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let Ok(request) = serde_json::from_str::<AddPin>(&body) else {
        return failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "The body is not a Pin object: {\"cid\", \"name\"}.",
        );
    };
    let Ok(cid) = request.cid.parse::<Cid>() else {
        return failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("Invalid CID: {}", request.cid),
        );
    };
    let number = state.next_id.fetch_add(1, Ordering::Relaxed);
    let requestid = format!("{}-{number}", state.name);
    let pin = Pin {
        requestid: requestid.clone(),
        status: "queued",
        created: rfc3339_now(),
        cid: request.cid,
        name: request.name,
        origins: request.origins,
        meta: request.meta,
        info: Map::new(),
    };
    let answer = pin.to_json(&state.delegate());
    state
        .pins
        .lock()
        .expect("pins lock")
        .insert(requestid.clone(), pin);
    tokio::spawn(replicate(Arc::clone(&state), requestid, cid));
    (StatusCode::ACCEPTED, Json(answer)).into_response()
}

/// `GET /pins/{requestid}`.
async fn one(
    State(state): State<Arc<PsaState>>,
    headers: HeaderMap,
    Path(requestid): Path<String>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let pins = state.pins.lock().expect("pins lock");
    match pins.get(&requestid) {
        Some(pin) => Json(pin.to_json(&state.delegate())).into_response(),
        None => failure(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The specified resource was not found",
        ),
    }
}

/// `DELETE /pins/{requestid}`: 202, the pin is removed.
async fn remove(
    State(state): State<Arc<PsaState>>,
    headers: HeaderMap,
    Path(requestid): Path<String>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    match state.pins.lock().expect("pins lock").remove(&requestid) {
        Some(_) => StatusCode::ACCEPTED.into_response(),
        None => failure(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The specified resource was not found",
        ),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    cid: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

/// `GET /pins`: `cid` and `status` are comma-separated lists; `status`
/// defaults to `pinned`, `limit` to 10, as the spec says.
async fn list(
    State(state): State<Arc<PsaState>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(refused) = refusal(&state, &headers) {
        return refused;
    }
    let split = |text: Option<String>| -> Option<HashSet<String>> {
        text.map(|text| text.split(',').map(|item| item.trim().to_owned()).collect())
    };
    let statuses = split(query.status).unwrap_or_else(|| HashSet::from(["pinned".to_owned()]));
    if let Some(odd) = statuses
        .iter()
        .find(|s| !["queued", "pinning", "pinned", "failed"].contains(&s.as_str()))
    {
        return failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("Unknown status: {odd}"),
        );
    }
    let cids = split(query.cid);
    let limit = query.limit.unwrap_or(10).clamp(1, 1000);
    let pins = state.pins.lock().expect("pins lock");
    let matching: Vec<&Pin> = pins
        .values()
        .filter(|pin| statuses.contains(pin.status))
        .filter(|pin| cids.as_ref().is_none_or(|cids| cids.contains(&pin.cid)))
        .collect();
    let results: Vec<Value> = matching
        .iter()
        .take(limit)
        .map(|pin| pin.to_json(&state.delegate()))
        .collect();
    Json(json!({"count": matching.len(), "results": results})).into_response()
}

/// Looks for the root, then copies the DAG, moving the pin along.
async fn replicate(state: Arc<PsaState>, requestid: String, root: Cid) {
    tokio::time::sleep(STEP).await;
    let started = Instant::now();
    loop {
        if !state.exists(&requestid) {
            return;
        }
        match fetch(&state, root).await {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < FIND_TIMEOUT => {
                state.set(
                    &requestid,
                    "queued",
                    Some(format!("looking for providers of {root}")),
                );
                tokio::time::sleep(STEP).await;
            }
            Ok(None) => {
                let details = format!(
                    "no provider found for {root} within {} s",
                    FIND_TIMEOUT.as_secs()
                );
                return state.set(&requestid, "failed", Some(details));
            }
            Err(problem) => return state.set(&requestid, "failed", Some(problem)),
        }
    }
    state.set(&requestid, "pinning", None);
    tokio::time::sleep(STEP).await;
    let outcome = copy_dag(&state, root).await;
    if !state.exists(&requestid) {
        return;
    }
    match outcome {
        Ok(()) => state.set(&requestid, "pinned", None),
        Err(problem) => state.set(&requestid, "failed", Some(problem)),
    }
}

/// Every block below `root`, within the budgets.
async fn copy_dag(state: &Arc<PsaState>, root: Cid) -> Result<(), String> {
    let mut queue = vec![root];
    let mut seen = HashSet::from([root]);
    let mut bytes = 0u64;
    while let Some(cid) = queue.pop() {
        let block = fetch(state, cid)
            .await?
            .ok_or_else(|| format!("block {cid} of the DAG was not found"))?;
        bytes += block.bytes.len() as u64;
        if seen.len() > MAX_BLOCKS || bytes > MAX_BYTES {
            return Err("the DAG is larger than this service takes".into());
        }
        if cid.codec() == DAG_PB_CODEC {
            let node = PbNode::decode(&block.bytes)
                .map_err(|e| format!("block {cid} is not dag-pb: {e:?}"))?;
            for link in node.links {
                if seen.insert(link.hash) {
                    queue.push(link.hash);
                }
            }
        }
        let store = Arc::clone(state);
        tokio::task::spawn_blocking(move || store.blocks.put(&block))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One block through the gateway, checked against its CID; `None` when
/// the gateway does not have it.
async fn fetch(state: &PsaState, cid: Cid) -> Result<Option<Block>, String> {
    let url = format!("{}/ipfs/{cid}?format=raw", state.gateway);
    let answer = tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .build();
        match agent.get(&url).call() {
            Ok(response) => {
                // A raw block is at most a little over 1 MiB.
                let mut bytes = Vec::new();
                response
                    .into_reader()
                    .take(4 << 20)
                    .read_to_end(&mut bytes)
                    .map(|_| Some(bytes))
                    .map_err(|e| e.to_string())
            }
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(error) => Err(format!("the gateway failed: {error}")),
        }
    })
    .await
    .map_err(|e| e.to_string())??;
    match answer {
        Some(bytes) => Block::verified(cid, bytes)
            .map(Some)
            .map_err(|_| format!("the gateway's block for {cid} does not match it")),
        None => Ok(None),
    }
}

/// `created`, an RFC 3339 UTC timestamp, without a date crate.
fn rfc3339_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's days-to-civil.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
