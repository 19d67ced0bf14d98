import { pduCredentials, pduLoginForm, type FakePdu } from '../../../../dist/test/fixtures/fake-pdu.js';

/** A form-login browser endpoint on the fake PDU, as the API takes it. */
export function formEndpoint(pdu: FakePdu, name = 'R7 PDU A') {
  return {
    name,
    source: 'browser',
    url: `${pdu.url}/form/meter`,
    selector: '#energy',
    unit: 'kWh',
    kind: 'counter',
    locale: 'en',
    pollIntervalMinutes: 15,
    ratedPowerKw: 7.4,
    enabled: true,
    labels: { customer: 'Acme', rack: 'R7' },
    auth: {
      type: 'form',
      username: pduCredentials.username,
      password: pduCredentials.password,
      loginUrl: `${pdu.url}/form/login`,
      ...pduLoginForm,
    },
  };
}
