import dgram from 'node:dgram';
import { demoKwh, type DemoRack } from './demo-counter.js';
import type { DemoServer } from './demo-http.js';

/** APC's rPDU2DeviceStatusEnergy object (tenths of a kWh), served as a scalar: its instance is `.0`. */
const energyObject = '1.3.6.1.4.1.318.1.1.26.4.3.1.9';
export const demoEnergyOid = `${energyObject}.0`;
export const demoCommunity = 'demo-public';

/** An SNMP v2c agent (net-snmp's own) on 127.0.0.1 serving the counter in tenths of a kWh. */
export async function startDemoSnmpAgent(rack: DemoRack, port?: number): Promise<DemoServer> {
  const snmp = (await import('net-snmp')).default;
  // net-snmp's agent binds without telling whether it could (a taken port only reaches its callback): a recorded
  // port is tried first, so a taken one fails the start with EADDRINUSE like the HTTP devices'.
  const chosen = await freeUdpPort(port);
  const agent = snmp.createAgent({ port: chosen, address: '127.0.0.1', transport: 'udp4' }, () => undefined);
  agent.getAuthorizer().addCommunity(demoCommunity);
  agent.getMib().registerProvider({
    name: 'rPDU2DeviceStatusEnergy',
    type: snmp.MibProviderType.Scalar,
    oid: energyObject,
    scalarType: snmp.ObjectType.Integer,
    maxAccess: snmp.MaxAccess['read-only'],
    handler: (request: { instanceNode: { value: unknown }; done(): void }) => {
      request.instanceNode.value = Math.round(demoKwh(rack) * 10);
      request.done();
    },
  });
  agent.getMib().setScalarValue('rPDU2DeviceStatusEnergy', Math.round(demoKwh(rack) * 10));
  return { port: chosen, close: () => new Promise<void>((resolve) => agent.close(() => resolve())) };
}

/** `port` (or one the system picks) once it is known to be free on 127.0.0.1. */
function freeUdpPort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
