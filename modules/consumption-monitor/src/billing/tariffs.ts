import { SELECT } from '../db.js';
import type { Runtime } from '../runtime.js';

/** A customer's own price per kWh, overriding the `pricePerKwh` setting. */
export interface Tariff {
  customer: string;
  pricePerKwh: number;
}

/** What prices statements: the setting, the customers' overrides, the currency. */
export interface PriceList {
  /** The `pricePerKwh` setting, or null when none is set (statements then carry no cost). */
  defaultPrice: number | null;
  /** Overrides by customer name, compared without regard to case. */
  byCustomer: Map<string, number>;
  /** The `currency` setting (ISO 4217 code). */
  currency: string | null;
}

/** cm_tariff, and the settings beside it. */
export class TariffStore {
  constructor(private readonly runtime: Pick<Runtime, 'db' | 'settings'>) {}

  async list(): Promise<Tariff[]> {
    const rows = await this.runtime.db.query<{ customer: string; price: string }>(
      'SELECT customer, price_per_kwh AS price FROM cm_tariff ORDER BY lower(customer)',
      { type: SELECT },
    );
    return rows.map((row) => ({ customer: row.customer, pricePerKwh: Number(row.price) }));
  }

  /** Sets a customer's price (a price below 0 is refused by the caller and by the table's CHECK). */
  async set(tariff: Tariff): Promise<void> {
    await this.runtime.db.query(
      `INSERT INTO cm_tariff (customer, price_per_kwh) VALUES ($1, $2)
       ON CONFLICT (customer) DO UPDATE SET price_per_kwh = EXCLUDED.price_per_kwh, updated_at = now()`,
      { bind: [tariff.customer, tariff.pricePerKwh] },
    );
  }

  /** Removes a customer's override; true when there was one. */
  async remove(customer: string): Promise<boolean> {
    const rows = await this.runtime.db.query<{ customer: string }>(
      'DELETE FROM cm_tariff WHERE customer = $1 RETURNING customer',
      { bind: [customer], type: SELECT },
    );
    return rows.length > 0;
  }

  async priceList(): Promise<PriceList> {
    const setting = this.runtime.settings.pricePerKwh;
    const currency = this.runtime.settings.currency;
    return {
      defaultPrice: typeof setting === 'number' && Number.isFinite(setting) && setting >= 0 ? setting : null,
      byCustomer: new Map((await this.list()).map((t) => [t.customer.toLowerCase(), t.pricePerKwh])),
      currency: typeof currency === 'string' && currency ? currency : null,
    };
  }
}

/** The price per kWh of a customer's energy: their override, else the setting, else null. */
export function priceFor(prices: PriceList, customer: string | null): number | null {
  return (customer === null ? undefined : prices.byCustomer.get(customer.toLowerCase())) ?? prices.defaultPrice;
}
