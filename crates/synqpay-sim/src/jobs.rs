//! The jobs a device runs on its own, in a state of their own (spec/protocol.md §5: `settlement`
//! in SETTLEMENT; ours: `uploadLogs` in UPLOAD_LOGS, `reboot` and `restart` in SYSTEM): each is
//! answered when it ends (a reboot at once, before the device goes), and meanwhile getStatus says
//! what runs and other methods that need IDLE get 201.

use synqpay_rpc::{GetSettlement, Method, Null, RawJson, ResultCode, SettlementResult};
use synqpay_session::ReplyTo;

use crate::app::{App, SimDevice, host_disabled};
use crate::params;
use crate::state::{Job, JobKind, LinkAction, State};

impl App {
    /// `settlement`: the batch goes to the host, in SETTLEMENT for `job_ms`.
    pub(crate) fn settlement(
        &mut self,
        now: u64,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        match synqpay_rpc::Settlement::decode_params(params) {
            Ok(p) if p.host != synqpay_rpc::Host::Shva => host_disabled(device, &reply),
            Ok(_) => self.start_job(now, JobKind::Settlement, Some(reply)),
            Err(e) => params::undecodable::<synqpay_rpc::Settlement>(device, &reply, &e, params),
        }
    }

    /// `getSettlement`: a settlement done, by id, batch number or the last.
    pub(crate) fn get_settlement(
        &mut self,
        device: &mut SimDevice,
        reply: ReplyTo,
        params: Option<RawJson<'_>>,
    ) {
        let Some(p) = params::decode::<GetSettlement>(device, &reply, params) else {
            return;
        };
        match params::get_settlement(&p) {
            Ok(()) => self.settlements.find(&p, device, &reply),
            Err(refusal) => refusal.send(device, &reply),
        }
    }

    /// `uploadLogs`: in UPLOAD_LOGS for `job_ms`, then answered.
    pub(crate) fn upload_logs(&mut self, now: u64, _device: &mut SimDevice, reply: ReplyTo) {
        self.start_job(now, JobKind::UploadLogs, Some(reply));
    }

    /// `reboot` and `restart`: answered at once; then the connection closes, what was kept for
    /// a client is forgotten, and the device is in SYSTEM for `reboot_ms`.
    pub(crate) fn reboot(&mut self, now: u64, device: &mut SimDevice, reply: ReplyTo) {
        let _ = device.respond(&reply, &Null);
        self.reboot_now(now);
    }

    /// The device goes down and comes back `reboot_ms` later (a reboot, or a scenario's).
    pub(crate) fn reboot_now(&mut self, now: u64) {
        self.link = LinkAction::Reboot;
        self.start_job(now, JobKind::System, None);
    }

    fn start_job(&mut self, now: u64, kind: JobKind, reply: Option<ReplyTo>) {
        let (ms, screen) = match kind {
            JobKind::Settlement => (self.config.job_ms, "SETTLEMENT"),
            JobKind::UploadLogs => (self.config.job_ms, "UPLOADING LOGS"),
            JobKind::System => (self.config.reboot_ms, "SYSTEM (rebooting)"),
        };
        self.screen = screen.into();
        self.pairing_code = None;
        self.state = State::Job(Job {
            kind,
            reply,
            until: now + ms,
        });
    }

    /// Ends a job: its answer, and IDLE.
    pub(crate) fn finish_job(&mut self, device: &mut SimDevice, job: Job) {
        self.become_idle("IDLE");
        let Some(reply) = job.reply else { return };
        match job.kind {
            JobKind::Settlement => {
                let report = self.settlements.settle(&mut self.stored);
                let result = SettlementResult {
                    result: ResultCode::Ok,
                    settlement: Some(report),
                };
                let _ = device.respond(&reply, &result);
            }
            JobKind::UploadLogs | JobKind::System => {
                let _ = device.respond(&reply, &Null);
            }
        }
    }
}
