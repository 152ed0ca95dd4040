//! `synqpay`: talk to a Synqpay payment device, or to the built-in simulator.

mod args;
mod decode;
mod demo;
mod device;
mod discover;
mod interrupt;
mod output;
mod pending;
mod proxy;
mod sale;
mod simulate;
mod trust;

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use synqpay_std::{Amount, Currency};

use crate::args::{Cli, Command, DeviceArgs};
use crate::device::Target;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(reason) => {
            eprintln!("synqpay: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Simulate(args) => simulate::run(args).map(|()| ExitCode::SUCCESS),
        Command::Proxy {
            host,
            listen,
            flip_request,
            drop_in_response,
            cut_sale_result,
            pcap,
        } => proxy::run(proxy::Options {
            host,
            listen,
            pcap,
            faults: synqpay_sim::noise::Faults {
                flip_request,
                drop_in_response,
                cut_sale_result: cut_sale_result.map(Duration::from_millis),
            },
        })
        .map(|()| ExitCode::SUCCESS),
        Command::Pair {
            device,
            serial_number,
            otp,
        } => pair(&device, &serial_number, otp).map(|()| ExitCode::SUCCESS),
        Command::Call {
            device,
            method,
            params,
        } => {
            let mut client = Target::of(&device)?.connect()?;
            let reply = client
                .call_raw(&method, params.as_deref())
                .map_err(|e| output::failure(&e))?;
            let result = reply.result_json().map_err(|e| output::failure(&e))?;
            println!("{}", output::json_text(&result));
            Ok(ExitCode::SUCCESS)
        }
        Command::Sale {
            device,
            output,
            amount,
            currency,
            reference_id,
        } => {
            let amount = Amount::new(amount, Currency::from_number(currency));
            sale::run(&device, output, amount, reference_id)
        }
        Command::Decode { hex } => {
            let input = if hex {
                decode::Input::Hex
            } else {
                decode::Input::Raw
            };
            decode::run(input).map(|()| ExitCode::SUCCESS)
        }
        Command::Demo => demo::run().map(|()| ExitCode::SUCCESS),
        Command::Discover {
            timeout,
            interface,
            output,
        } => discover::run(timeout, interface.as_deref(), output).map(|()| ExitCode::SUCCESS),
    }
}

/// `pair`, then `authenticate` with the code from the screen; prints the key alone.
fn pair(device: &DeviceArgs, serial_number: &str, otp: Option<String>) -> Result<(), String> {
    let mut client = Target::of(device)?.connect()?;
    client
        .pair(serial_number)
        .map_err(|e| output::failure(&e))?;
    let otp = match otp {
        Some(otp) => otp,
        None => {
            eprint!("code on the device's screen: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            line.trim().to_string()
        }
    };
    let key = client.authenticate(&otp).map_err(|e| output::failure(&e))?;
    println!("{}", String::from_utf8_lossy(&key.expose_hex()));
    Ok(())
}
