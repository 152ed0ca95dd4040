//! Trust on first use: a small file of known devices, serial number → certificate fingerprint.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Fingerprint;

/// What [`KnownDevices::save`] writes at the top of the file.
const HEADER: &str = "\
# Synqpay devices known to this app: one a line, its serial number and the SHA-256 fingerprint
# of the TLS certificate it presented when first seen (trust on first use):
#     SERIAL sha256:HEX
# A device whose certificate changes is refused until it is re-pinned. Its certificate is
# re-issued when its IP address changes: replace the fingerprint on its line (or delete the line
# to pin it again on the next connection). Lines starting with # are comments.
";

/// Devices trusted on first use, by serial number: the fingerprint of the certificate each
/// presented the first time ([`Verification::KnownDevice`](super::Verification::KnownDevice)
/// keeps it up to date).
///
/// The file is text, one device a line, `SERIAL sha256:HEX`; `#` starts a comment; a missing
/// file is an empty list. [`KnownDevices::save`] writes a comment on the format at its top and
/// replaces the file whole (written aside, then renamed).
///
/// ```
/// use synqpay_std::tls::{Fingerprint, KnownDevices};
///
/// let file = std::env::temp_dir().join(format!("known-devices-doc-{}", std::process::id()));
/// let mut known = KnownDevices::load(&file)?;
/// assert_eq!(known.get("244RKR528387"), None);
/// known.pin("244RKR528387", Fingerprint([7; 32]))?;
/// known.save()?;
/// assert_eq!(KnownDevices::load(&file)?.get("244RKR528387"), Some(Fingerprint([7; 32])));
/// // The device's certificate was re-issued (a new IP address): re-pin it.
/// KnownDevices::repin(&file, "244RKR528387", Fingerprint([8; 32]))?;
/// assert_eq!(KnownDevices::load(&file)?.get("244RKR528387"), Some(Fingerprint([8; 32])));
/// # std::fs::remove_file(&file).unwrap();
/// # Ok::<(), synqpay_std::tls::KnownDevicesError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevices {
    file: PathBuf,
    devices: BTreeMap<String, Fingerprint>,
}

/// Why the known-devices file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KnownDevicesError {
    /// The file could not be read or written.
    Io {
        /// The file.
        file: PathBuf,
        /// Whether it was being written (else read).
        writing: bool,
        /// What the system said.
        kind: io::ErrorKind,
    },
    /// A line is not `SERIAL sha256:HEX`, or names a device twice.
    Line {
        /// The file.
        file: PathBuf,
        /// The line number, from 1.
        line: usize,
    },
    /// A serial number that cannot be written on a line: empty, or with a space or `#`.
    SerialNumber {
        /// The serial number as given.
        serial_number: String,
    },
}

impl fmt::Display for KnownDevicesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io {
                file,
                writing,
                kind,
            } => {
                let verb = if *writing { "writing" } else { "reading" };
                write!(
                    f,
                    "{verb} the known-devices file {}: {kind}",
                    file.display()
                )
            }
            Self::Line { file, line } => write!(
                f,
                "the known-devices file {}, line {line}: not `SERIAL sha256:HEX` (or a device \
                 named twice)",
                file.display()
            ),
            Self::SerialNumber { serial_number } => write!(
                f,
                "{:?} cannot be a known device's serial number (empty, or a space or #)",
                serial_number
            ),
        }
    }
}

impl std::error::Error for KnownDevicesError {}

impl KnownDevices {
    /// Reads the file; a file that does not exist is an empty list (written by
    /// [`KnownDevices::save`]).
    pub fn load(file: impl AsRef<Path>) -> Result<Self, KnownDevicesError> {
        let file = file.as_ref().to_path_buf();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(KnownDevicesError::Io {
                    file,
                    writing: false,
                    kind: e.kind(),
                });
            }
        };
        let mut devices = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let entry = match (words.next(), words.next(), words.next()) {
                (Some(serial), Some(pin), None) => pin.parse().ok().map(|pin| (serial, pin)),
                _ => None,
            };
            let bad = || KnownDevicesError::Line {
                file: file.clone(),
                line: n + 1,
            };
            let (serial, pin) = entry.ok_or_else(bad)?;
            if devices.insert(serial.to_string(), pin).is_some() {
                return Err(bad());
            }
        }
        Ok(Self { file, devices })
    }

    /// The file it was loaded from, and is saved to.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The fingerprint on record for the device with this serial number.
    pub fn get(&self, serial_number: &str) -> Option<Fingerprint> {
        self.devices.get(serial_number).copied()
    }

    /// The devices on record, by serial number.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Fingerprint)> {
        self.devices.iter().map(|(s, f)| (s.as_str(), *f))
    }

    /// Records `fingerprint` for the device, replacing what was on record (a re-pin); returns
    /// that. Not saved until [`KnownDevices::save`].
    pub fn pin(
        &mut self,
        serial_number: &str,
        fingerprint: Fingerprint,
    ) -> Result<Option<Fingerprint>, KnownDevicesError> {
        check_serial_number(serial_number)?;
        Ok(self.devices.insert(serial_number.to_string(), fingerprint))
    }

    /// Forgets the device (its next connection pins it again); returns what was on record.
    /// Not saved until [`KnownDevices::save`].
    pub fn forget(&mut self, serial_number: &str) -> Option<Fingerprint> {
        self.devices.remove(serial_number)
    }

    /// The re-pin operation: records `fingerprint` for the device in `file` (loaded, changed,
    /// saved), after the user has checked that the device whose certificate changed is theirs
    /// (the `presented` fingerprint of [`TlsError::DeviceChanged`](super::TlsError::DeviceChanged)).
    /// Returns the fingerprint that was on record.
    pub fn repin(
        file: impl AsRef<Path>,
        serial_number: &str,
        fingerprint: Fingerprint,
    ) -> Result<Option<Fingerprint>, KnownDevicesError> {
        let mut known = Self::load(file)?;
        let old = known.pin(serial_number, fingerprint)?;
        known.save()?;
        Ok(old)
    }

    /// Writes the file whole: the format comment, then one device a line. Written aside and
    /// renamed, so that a reader never sees half of it.
    pub fn save(&self) -> Result<(), KnownDevicesError> {
        let io = |e: io::Error| KnownDevicesError::Io {
            file: self.file.clone(),
            writing: true,
            kind: e.kind(),
        };
        let mut text = String::from(HEADER);
        for (serial, pin) in &self.devices {
            text.push_str(&format!("{serial} {pin}\n"));
        }
        if let Some(dir) = self.file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut aside = self.file.clone().into_os_string();
        aside.push(format!(".{}.tmp", std::process::id()));
        let aside = PathBuf::from(aside);
        let written = std::fs::File::create(&aside).and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        });
        if let Err(e) = written.and_then(|()| std::fs::rename(&aside, &self.file)) {
            let _ = std::fs::remove_file(&aside);
            return Err(io(e));
        }
        Ok(())
    }
}

/// A serial number that fits on a line of the file.
pub(super) fn check_serial_number(serial_number: &str) -> Result<(), KnownDevicesError> {
    let fits = !serial_number.is_empty()
        && !serial_number
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '#');
    if fits {
        Ok(())
    } else {
        Err(KnownDevicesError::SerialNumber {
            serial_number: serial_number.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("synqpay-known-{name}-{}", std::process::id()))
    }

    #[test]
    fn saved_with_its_format_comment_and_read_back() {
        let file = temp("roundtrip");
        let mut known = KnownDevices::load(&file).unwrap();
        assert_eq!(known.iter().count(), 0, "a missing file is an empty list");
        known.pin("B", Fingerprint([2; 32])).unwrap();
        known.pin("A", Fingerprint([1; 32])).unwrap();
        known.save().unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("# Synqpay devices known"), "{text}");
        assert!(text.ends_with(&format!(
            "A {}\nB {}\n",
            Fingerprint([1; 32]),
            Fingerprint([2; 32])
        )));
        assert_eq!(KnownDevices::load(&file).unwrap(), known);
        assert_eq!(known.forget("A"), Some(Fingerprint([1; 32])));
        std::fs::remove_file(&file).unwrap();
    }

    #[test]
    fn bad_lines_and_serial_numbers_are_refused() {
        let file = temp("bad");
        for (text, line) in [
            ("A sha256:00\n", 1),
            ("# c\n\nA\n", 3),
            (
                "A sha256:0101010101010101010101010101010101010101010101010101010101010101 x\n",
                1,
            ),
        ] {
            std::fs::write(&file, text).unwrap();
            let e = KnownDevices::load(&file).unwrap_err();
            assert_eq!(
                e,
                KnownDevicesError::Line {
                    file: file.clone(),
                    line
                },
                "{text}"
            );
        }
        let pin = Fingerprint([1; 32]);
        std::fs::write(&file, format!("A {pin}\nA {pin}  # twice\n")).unwrap();
        assert!(matches!(
            KnownDevices::load(&file),
            Err(KnownDevicesError::Line { line: 2, .. })
        ));
        let mut known = KnownDevices::load(temp("none")).unwrap();
        for serial in ["", "A B", "A#"] {
            assert!(matches!(
                known.pin(serial, pin),
                Err(KnownDevicesError::SerialNumber { .. })
            ));
        }
        std::fs::remove_file(&file).unwrap();
    }
}
