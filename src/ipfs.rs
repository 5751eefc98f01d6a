//! Content addressing: UnixFS import, CAR archives and CID verification,
//! byte-for-byte compatible with ipfs-car (see `profile` for the parameters).

pub mod block;
pub mod car;
pub mod car_split;
pub mod dag_export;
pub mod dag_pb;
pub mod directory;
pub mod file_importer;
pub mod file_reader;
pub mod hamt;
pub mod murmur3;
pub mod pack;
pub mod profile;
pub mod protobuf;
pub mod resolve;
pub mod unixfs;
pub mod uri;
pub mod verified_read;

pub use block::{Block, BlockError};
pub use cid::Cid;
pub use profile::ImportProfile;
