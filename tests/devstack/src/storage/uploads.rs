//! The record of each upload, as nft.storage reports it, and which tokens
//! made it. Tokens are kept only as SHA-256 fingerprints, never in clear.

use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use minty::ipfs::Cid;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadedFile {
    pub name: String,
    #[serde(rename = "type")]
    pub content_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadRecord {
    pub cid: String,
    pub created: String,
    #[serde(rename = "type")]
    pub content_type: String,
    pub size: u64,
    pub files: Vec<UploadedFile>,
    /// Fingerprints of the tokens that uploaded this CID.
    pub owners: Vec<String>,
}

impl UploadRecord {
    /// The `value` of nft.storage's upload and status answers: `size` is
    /// what was uploaded, the pin's size the whole DAG's (`dag_bytes`) once
    /// every block has arrived; the pin is "queued" until then.
    pub fn to_api_json(&self, dag_bytes: Option<u64>) -> Value {
        let status = if dag_bytes.is_some() {
            "pinned"
        } else {
            "queued"
        };
        json!({
            "cid": self.cid,
            "created": self.created,
            "type": self.content_type,
            "scope": "local",
            "files": self.files,
            "size": self.size,
            "name": format!("Upload at {}", self.created),
            "pin": {
                "cid": self.cid,
                "created": self.created,
                "size": dag_bytes,
                "status": status,
            },
            "deals": [],
        })
    }
}

pub struct UploadIndex {
    directory: PathBuf,
    // Serialises read-modify-write of one record between concurrent uploads.
    lock: Mutex<()>,
}

impl UploadIndex {
    pub fn open(directory: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&directory)?;
        Ok(Self {
            directory,
            lock: Mutex::new(()),
        })
    }

    fn path_of(&self, cid: &Cid) -> PathBuf {
        self.directory.join(format!("{cid}.json"))
    }

    pub fn find(&self, cid: &Cid) -> Option<UploadRecord> {
        let text = fs::read_to_string(self.path_of(cid)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Records an upload by `owner`; uploading the same CID again keeps the
    /// first record and adds the owner.
    pub fn record(
        &self,
        cid: &Cid,
        content_type: &str,
        size: u64,
        files: Vec<UploadedFile>,
        owner: &str,
    ) -> io::Result<UploadRecord> {
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut record = self.find(cid).unwrap_or_else(|| UploadRecord {
            cid: cid.to_string(),
            created: now_iso8601(),
            content_type: content_type.to_owned(),
            size,
            files,
            owners: Vec::new(),
        });
        if !record.owners.iter().any(|known| known == owner) {
            record.owners.push(owner.to_owned());
        }
        let path = self.path_of(cid);
        let temporary = path.with_extension("json.partial");
        fs::write(&temporary, serde_json::to_vec_pretty(&record)?)?;
        fs::rename(&temporary, &path)?;
        Ok(record)
    }
}

/// UTC time as nft.storage printed it: 2023-08-31T14:27:04.437+00:00.
pub fn now_iso8601() -> String {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let of_day = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// civil_from_days).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right_around_leap_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(19_904), (2024, 6, 30));
    }
}
