//! Sales whose outcome stayed unknown, kept for the next run (ours, spec/protocol.md §6: such a
//! sale is looked up by its referenceId, never sold again on a guess). `synqpay sale` records a
//! sale before sending it and forgets it once its outcome is known; a sale killed, cut off or
//! left by a second Ctrl-C stays, and the next `synqpay sale` reports it and looks it up first.
//!
//! The file is `unknown-sales` in the state directory (`$XDG_STATE_HOME/synqpay` or
//! `~/.local/state/synqpay` on Linux, `%LOCALAPPDATA%\synqpay` on Windows,
//! `~/Library/Application Support/synqpay` on macOS; `SYNQPAY_STATE_DIR` overrides), one sale a
//! line: `referenceId<TAB>amount in minor units<TAB>currency number<TAB>device`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A sale whose outcome is not known yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSale {
    /// Its referenceId.
    pub reference_id: String,
    /// Its amount, in minor units.
    pub amount: i64,
    /// Its currency's ISO 4217 number.
    pub currency: u16,
    /// The device it was sent to (address or serial port).
    pub device: String,
}

/// The file of unknown sales.
pub struct Pending {
    path: PathBuf,
}

/// At most this many are kept (ours: a bounded file; the oldest go first).
const KEPT: usize = 100;

impl Pending {
    /// The file in the user's state directory (see the module's documentation).
    pub fn in_state_dir() -> Option<Self> {
        let dir = match std::env::var_os("SYNQPAY_STATE_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => {
                let dirs = directories::ProjectDirs::from("", "", "synqpay")?;
                dirs.state_dir()
                    .unwrap_or(dirs.data_local_dir())
                    .to_path_buf()
            }
        };
        Some(Self::at(&dir))
    }

    /// The file in `dir`.
    pub fn at(dir: &Path) -> Self {
        Self {
            path: dir.join("unknown-sales"),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sales recorded, oldest first; lines that do not read are left out.
    pub fn list(&self) -> io::Result<Vec<UnknownSale>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(text.lines().filter_map(parse).collect())
    }

    /// Records `sale` (before it is sent).
    pub fn add(&self, sale: &UnknownSale) -> io::Result<()> {
        let mut all = self.list()?;
        all.retain(|s| s.reference_id != sale.reference_id);
        all.push(sale.clone());
        let skip = all.len().saturating_sub(KEPT);
        self.write(&all[skip..])
    }

    /// Forgets the sale `reference_id` (its outcome is known).
    pub fn remove(&self, reference_id: &str) -> io::Result<()> {
        let mut all = self.list()?;
        let before = all.len();
        all.retain(|s| s.reference_id != reference_id);
        if all.len() == before {
            return Ok(());
        }
        self.write(&all)
    }

    fn write(&self, sales: &[UnknownSale]) -> io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Written beside, then renamed over: a crash never leaves half a file.
        let next = self.path.with_extension("new");
        let mut file = std::fs::File::create(&next)?;
        for s in sales {
            writeln!(
                file,
                "{}\t{}\t{}\t{}",
                s.reference_id, s.amount, s.currency, s.device
            )?;
        }
        file.sync_all()?;
        std::fs::rename(&next, &self.path)
    }
}

fn parse(line: &str) -> Option<UnknownSale> {
    let mut fields = line.split('\t');
    let sale = UnknownSale {
        reference_id: fields.next()?.to_string(),
        amount: fields.next()?.parse().ok()?,
        currency: fields.next()?.parse().ok()?,
        device: fields.next()?.to_string(),
    };
    synqpay_std::ReferenceId::new(&sale.reference_id).ok()?;
    Some(sale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(reference: &str) -> UnknownSale {
        UnknownSale {
            reference_id: reference.into(),
            amount: 12550,
            currency: 376,
            device: "127.0.0.1:9000".into(),
        }
    }

    #[test]
    fn sales_are_kept_until_forgotten_and_bad_lines_are_skipped() {
        let dir = std::env::temp_dir().join(format!("synqpay-pending-{}", std::process::id()));
        let pending = Pending::at(&dir);
        assert_eq!(pending.list().unwrap(), []);
        pending.add(&sale("a-1")).unwrap();
        pending.add(&sale("a-2")).unwrap();
        pending.add(&sale("a-1")).unwrap();
        let refs: Vec<_> = pending
            .list()
            .unwrap()
            .into_iter()
            .map(|s| s.reference_id)
            .collect();
        assert_eq!(refs, ["a-2", "a-1"]);
        pending.remove("a-2").unwrap();
        assert_eq!(pending.list().unwrap(), [sale("a-1")]);
        let mut text = std::fs::read_to_string(pending.path()).unwrap();
        text.push_str("bad line\nx y\t1\t2\tz\n");
        std::fs::write(pending.path(), text).unwrap();
        assert_eq!(pending.list().unwrap(), [sale("a-1")]);
        for i in 0..150 {
            pending.add(&sale(&format!("b-{i}"))).unwrap();
        }
        let all = pending.list().unwrap();
        assert_eq!(all.len(), KEPT);
        assert_eq!(all[0].reference_id, "b-50");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
