//! A desktop point of sale: `desktop-pos HOST:PORT [AMOUNT]` (shekels: `125.50`). The first run
//! pairs (type the code the device shows) and keeps the key in the user's config directory; a
//! sale whose outcome is unknown is looked up by its referenceId, never sold again.
use std::io::{BufRead, Write};
use synqpay_std::{Amount, ApiKey, Client, ClientConfig, Currency, Error, ReferenceId};
use synqpay_std::{RpcErrorCode::TransactionNotFound as NotFound, StartTransactionParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let device = args.get(1).ok_or("usage: desktop-pos HOST:PORT [AMOUNT]")?;
    let amount = args.get(2).map_or("125.50", String::as_str);
    let amount = Amount::parse(amount, Currency::ILS).ok_or("AMOUNT: like 125.50")?;
    let dirs = directories::ProjectDirs::from("", "", "synqpay-desktop-pos").ok_or("no home")?;
    let key_file = dirs.config_dir().join("api-key");
    let mut client = Client::connect(device.as_str(), ClientConfig::default())?;
    let key: ApiKey = match std::fs::read_to_string(&key_file) {
        Ok(text) => text.trim().parse()?,
        Err(_) => {
            client.pair("244RKR528387")?; // the serial number on the device's label
            print!("code on the device's screen: ");
            std::io::stdout().flush()?;
            let code = std::io::stdin().lock().lines().next().ok_or("no code")??;
            let key = client.authenticate(code.trim())?;
            std::fs::create_dir_all(dirs.config_dir())?;
            write_private(&key_file, &key.expose_hex())?;
            key
        }
    };
    let mut client = client.with_api_key(key);
    let reference = format!("pos-{}", std::time::UNIX_EPOCH.elapsed()?.as_millis());
    println!("sale {reference}: {amount}");
    let sale = StartTransactionParams::sale(ReferenceId::new(&reference)?, amount);
    let mut charged = match client.start_transaction(&sale, &mut |e| println!("  … {e}")) {
        Ok(answer) => answer.result()?.is_charged(), // None: no status, the outcome is unknown
        Err(e) if e.outcome_unknown() => None,
        Err(e) => return Err(e.into()), // refused (its code says why), or never sent
    };
    if charged.is_none() {
        // Unknown (spec/protocol.md §6): look it up by its referenceId, never sell again.
        charged = match client.lookup_transaction(ReferenceId::new(&reference)?) {
            Ok(found) => found.result()?.transaction.and_then(|t| t.is_charged()),
            Err(Error::Rpc { code: NotFound, .. }) => Some(false), // 302: never ran
            Err(e) => return Err(e.into()),
        };
    }
    let charged = charged.map_or("unknown".into(), |c| c.to_string());
    println!("charged: {charged}");
    Ok(())
}

/// The key is a secret: its file is readable by the user alone.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}
