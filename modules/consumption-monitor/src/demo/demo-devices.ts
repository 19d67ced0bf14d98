import { collect } from '../collect/collect.js';
import { SELECT } from '../db.js';
import { forgetLiveTiles } from '../live/live-data.js';
import type { EndpointSettings } from '../endpoints/endpoint.js';
import type { Runtime } from '../runtime.js';
import type { DemoRack } from './demo-counter.js';
import {
  demoBmcLogin,
  demoPduLogin,
  startDemoHttpMeter,
  startDemoPduWeb,
  startDemoRedfish,
  type DemoServer,
} from './demo-http.js';
import { demoCommunity, demoEnergyOid, startDemoSnmpAgent } from './demo-snmp.js';

type DemoKind = 'pdu-web' | 'http-meter' | 'snmp-agent' | 'redfish';
interface DemoRow {
  kind: DemoKind;
  port: number;
  endpoint_id: string | null;
  started_at: Date;
  counter_kwh: number;
}

/** Each simulated device: its rack's mean draw, and the endpoint that reads it. */
const devices: Record<
  DemoKind,
  { meanKw: number; endpoint(port: number): [EndpointSettings, Record<string, string>] }
> = {
  'pdu-web': {
    meanKw: 4.2,
    endpoint: (port) => [
      settings('Demo PDU A (web)', 'browser', 'Demo Hosting', 'D1', {
        url: `http://127.0.0.1:${port}/status`,
        selector: '#energy',
        auth: {
          type: 'form',
          username: demoPduLogin.username,
          loginUrl: `http://127.0.0.1:${port}/login`,
          usernameSelector: '#user',
          passwordSelector: '#pass',
          submitSelector: '#login',
        },
      }),
      { password: demoPduLogin.password },
    ],
  },
  'http-meter': {
    meanKw: 2.7,
    endpoint: (port) => [
      settings('Demo meter B (HTTP JSON)', 'http', 'Demo Hosting', 'D2', {
        url: `http://127.0.0.1:${port}/meter.json`,
        jsonPath: '$.energy.kwh',
      }),
      {},
    ],
  },
  'snmp-agent': {
    meanKw: 6.1,
    endpoint: (port) => [
      settings('Demo PDU C (SNMP)', 'snmp', 'Example Corp', 'E1', {
        snmp: { host: '127.0.0.1', port, version: '2c', oid: demoEnergyOid, scale: 0.1 },
      }),
      { community: demoCommunity },
    ],
  },
  redfish: {
    meanKw: 1.4,
    endpoint: (port) => [
      settings('Demo BMC D (Redfish)', 'redfish', 'Example Corp', 'E2', {
        url: `http://127.0.0.1:${port}/redfish/v1`,
        auth: { type: 'basic', username: demoBmcLogin.username },
      }),
      { password: demoBmcLogin.password },
    ],
  },
};

function settings(
  name: string,
  source: EndpointSettings['source'],
  customer: string,
  rack: string,
  rest: Partial<EndpointSettings>,
): EndpointSettings {
  return {
    name,
    source,
    url: null,
    selector: null,
    jsonPath: null,
    sensor: null,
    unit: 'kWh',
    kind: 'counter',
    locale: 'en',
    pollIntervalMinutes: 15,
    timeoutSeconds: 20,
    ratedPowerKw: 10,
    alertThresholdKwh: null,
    enabled: true,
    customer,
    rack,
    auth: null,
    snmp: null,
    ...rest,
  };
}

/**
 * The demo devices of a first run: simulated PDUs and meters started by the module in its own process on
 * 127.0.0.1, read by the same code as real devices. Their ports are recorded, so a restart brings them back.
 */
export class DemoDevices {
  private readonly running = new Map<DemoKind, DemoServer>();

  constructor(private readonly runtime: Runtime) {}

  /** Restarts the recorded devices on their recorded ports (module setup). */
  async resume(): Promise<void> {
    const rows = await this.runtime.db.query<DemoRow>('SELECT * FROM cm_demo_device', { type: SELECT });
    for (const row of rows) {
      try {
        await this.start(row);
      } catch (error) {
        this.runtime.logger.warn(`demo device ${row.kind} could not start again: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Starts the four devices, adds an endpoint for each and reads them once; a recorded device that is not
   * running (its port was taken at start) is started again. All or nothing: when a device cannot start or a
   * demo endpoint's name is taken, the devices started by this call are stopped, the endpoints it added removed,
   * and a DemoDevicesError says why.
   */
  async add(): Promise<number> {
    const recorded = await this.runtime.db.query<DemoRow>('SELECT * FROM cm_demo_device', { type: SELECT });
    const kinds = (Object.keys(devices) as DemoKind[]).filter((kind) => !recorded.some((row) => row.kind === kind));
    const started: DemoKind[] = [];
    const added: string[] = [];
    try {
      for (const kind of kinds) {
        const name = devices[kind].endpoint(0)[0].name;
        if (await this.runtime.endpoints.nameTaken(name))
          throw new DemoDevicesError('NXF_CONFLICT', `An endpoint named "${name}" exists already; rename it first.`);
      }
      for (const row of recorded.filter((row) => !this.running.has(row.kind))) {
        await this.start(row);
        started.push(row.kind);
      }
      for (const kind of kinds) {
        const row: DemoRow = {
          kind,
          port: 0,
          endpoint_id: null,
          started_at: new Date(),
          counter_kwh: 10_000 + Math.round(Math.random() * 40_000),
        };
        const server = await this.start(row);
        started.push(kind);
        added.push(await this.record(row, server.port));
      }
    } catch (error) {
      await this.undo(started, added);
      throw error;
    }
    const endpoints = (await this.runtime.endpoints.list()).filter((endpoint) => added.includes(endpoint.id));
    if (endpoints.length > 0) await collect(this.runtime, endpoints, { batchSize: 4, screenshotOnError: true });
    forgetLiveTiles(this.runtime);
    return added.length;
  }

  /** Adds a started device's endpoint and records the device; returns the endpoint's id. */
  private async record(row: DemoRow, port: number): Promise<string> {
    const [endpointSettings, secrets] = devices[row.kind].endpoint(port);
    const endpoint = await this.runtime.endpoints.create(endpointSettings, secrets, { demo: true });
    await this.runtime.db.query(
      'INSERT INTO cm_demo_device (kind, port, endpoint_id, started_at, counter_kwh) VALUES ($1, $2, $3, $4, $5)',
      { bind: [row.kind, port, endpoint.id, row.started_at, row.counter_kwh] },
    );
    return endpoint.id;
  }

  /** Takes back what a failed `add` did: stops the devices it started, removes the endpoints it added. */
  private async undo(started: DemoKind[], added: string[]): Promise<void> {
    await Promise.all(started.map((kind) => this.running.get(kind)?.close()));
    for (const kind of started) this.running.delete(kind);
    if (added.length === 0) return;
    await this.runtime.db.query('DELETE FROM cm_demo_device WHERE endpoint_id = ANY($1::uuid[])', { bind: [added] });
    await this.runtime.db.query('DELETE FROM cm_endpoint WHERE id = ANY($1::uuid[])', { bind: [added] });
  }

  /** Stops the devices and removes them with their endpoints and readings. */
  async remove(): Promise<number> {
    await this.stopAll();
    const [, result] = (await this.runtime.db.query('DELETE FROM cm_endpoint WHERE demo')) as [
      unknown,
      { rowCount?: number },
    ];
    await this.runtime.db.query('DELETE FROM cm_demo_device');
    forgetLiveTiles(this.runtime);
    return result?.rowCount ?? 0;
  }

  /** Stops the devices (module teardown); their records stay for the next start. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((server) => server.close()));
    this.running.clear();
  }

  private async start(row: DemoRow): Promise<DemoServer> {
    const rack: DemoRack = {
      meanKw: devices[row.kind].meanKw,
      startKwh: row.counter_kwh,
      since: new Date(row.started_at),
    };
    // A recorded port that is taken fails the start (logged by resume): with several NxForge processes on one
    // installation, one of them serves the device; moving it would leave the others' endpoints behind.
    let server: DemoServer;
    try {
      server = await this.listen(row.kind, rack, row.port || undefined);
    } catch (error) {
      const name = devices[row.kind].endpoint(row.port)[0].name;
      const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new DemoDevicesError(
        taken ? 'CM_DEMO_PORT_TAKEN' : 'CM_DEMO_START_FAILED',
        taken
          ? `${name} cannot start: port ${row.port} on 127.0.0.1 is taken by another program. Free it, or remove the demo devices and add them again.`
          : `${name} cannot start: ${(error as Error).message}`,
      );
    }
    this.running.set(row.kind, server);
    return server;
  }

  private async listen(kind: DemoKind, rack: DemoRack, port: number | undefined): Promise<DemoServer> {
    if (kind === 'pdu-web') return startDemoPduWeb(rack, port);
    if (kind === 'http-meter') return startDemoHttpMeter(rack, port);
    if (kind === 'snmp-agent') return startDemoSnmpAgent(rack, port);
    return startDemoRedfish(rack, demoBmcLogin, port);
  }
}

/** Why "Add demo devices" added nothing: `CM_DEMO_PORT_TAKEN`, `CM_DEMO_START_FAILED` or `NXF_CONFLICT` (a name). */
export class DemoDevicesError extends Error {
  constructor(
    readonly code: 'CM_DEMO_PORT_TAKEN' | 'CM_DEMO_START_FAILED' | 'NXF_CONFLICT',
    message: string,
  ) {
    super(message);
  }
}
