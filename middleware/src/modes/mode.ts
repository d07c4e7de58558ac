/**
 * What a mode brings to the process. Local mode hosts the org it talks to (and stands in for the
 * package's Apex); Salesforce mode logs in to a real one. `server.ts` opens one of them, and from
 * then on composes the same HTTP app, system and teardown whichever it is.
 */
import type { Router } from 'express';
import type { Connection } from '@jsforce/jsforce-node';
import type { Config } from '../config/config.ts';
import type { ReadinessCheck } from '../http/app.ts';
import type { Runtime } from '../runtime.ts';
import type { Notifier } from '../ports/notify.ts';
import type { LocalOrg } from '@dealdesk/local-org';
import type { OrgFaultOptions } from '@dealdesk/local-org';
import type { PackageAutomation } from '../local/package-automation.ts';

export interface ModeDeps {
  config: Config;
  runtime: Runtime;
  /** The resolved data directory (local mode keeps its org and the admin's token there). */
  dataDir: string;
}

export interface Mode {
  /**
   * Stand-ins for remote services (the local org), served ahead of the middleware's own HTTP
   * layer (see `AppDeps.standIns`).
   */
  standIns: Router[];
  /**
   * Pages the mode serves to people (Lightning Local), mounted behind the starting gate: they act
   * through the running system (Close Deal calls the middleware).
   */
  mounts: Router[];
  /** Checks of what the mode hosts, answering from the moment the port opens. */
  readiness: ReadinessCheck[];
  /** Logs in to the org once the middleware listens at `url` (where the local org is served). */
  connect(url: string): Promise<OrgLink>;
  /** Once the system runs: what the org does on its own, and the handles callers may reach. */
  started(ctx: { url: string; apiKey: string }): ModeHandles;
  /** Closes what the mode opened; runs after the system has stopped. */
  dispose(): void | Promise<void>;
}

/** The org as the system reaches it. */
export interface OrgLink {
  /** The Salesforce connection the CRM and approval adapters call through. */
  conn: Connection;
  /** Reachability of the org over that connection's session. */
  readiness: ReadinessCheck;
  /** Tells people what they must act on: the console locally, Chatter and email in a real org. */
  notifier: { name: string; notifier: Notifier };
}

/** Local mode's handles (tests, the demo and the banner use them); empty against a real org. */
export interface ModeHandles {
  localOrg?: LocalOrg;
  /** Absent when the org has no administrator (LOCAL_ORG_SEED=none). */
  localAdmin?: LocalAdminLogin;
  /** The injected-fault settings, live (tests and soak runs change the rate). */
  orgFaults?: OrgFaultOptions;
  /** The package's triggers and Queueables, done by the local org. */
  automation?: PackageAutomation;
  /** Lightning Local's open event streams, ended when the server stops. */
  closeStreams?: () => void;
}

/** Local mode: how the person at the terminal logs in to the local org as its administrator. */
export interface LocalAdminLogin {
  username: string;
  accessToken: string;
  /** The token, also kept in this file (mode 600), so a login can be scripted without pasting it. */
  tokenFile: string;
}

/** The org's REST limits resource: a cheap authenticated call that proves the session works. */
export function orgReachable(conn: Connection, apiVersion: string, ttlMs: number): ReadinessCheck {
  return {
    name: 'salesforce',
    check: cachedCheck(ttlMs, async () => void (await conn.request(`/services/data/v${apiVersion}/limits`))),
  };
}

/** A readiness check that calls out at most once per `ttlMs`, so probes do not spend API limits. */
function cachedCheck(ttlMs: number, check: () => Promise<void>): () => Promise<void> {
  let last: { at: number; error: unknown } | undefined;
  return async () => {
    if (!last || Date.now() - last.at > ttlMs) {
      let error: unknown = null;
      try {
        await check();
      } catch (err) {
        error = err;
      }
      last = { at: Date.now(), error };
    }
    if (last.error) throw last.error;
  };
}
