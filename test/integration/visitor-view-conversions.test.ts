/**
 * The debug views' conversions (GET /api/user/{id}, GET /api/anonymous/{id})
 * on DynamoDB Local: each conversion a person counts, oldest first, with its
 * value or its warning and its credit under every model at its own moment.
 */
import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config';
import { buildDeps } from '../../src/handlers/deps';
import { createViewHandler } from '../../src/handlers/http/views';
import type { HttpEvent } from '../../src/handlers/http/http';
import { at, identifyEvent, pageEvent } from '../helpers/events';
import { orderEvent, storeAndDerive, twoDeviceBuyer } from '../helpers/conversions';
import { depsFor } from '../helpers/handler-deps';
import { createTables, testEnv } from '../helpers/tables';

const API_KEY = 'k-view';
const env = testEnv({ API_KEY, CONVERSION_EVENTS: 'Order Completed' });
const config = parseConfig(env);
const deps = buildDeps(config);
const getUser = createViewHandler('user', () => Promise.resolve(deps));
const getAnonymous = createViewHandler('anonymous', () => Promise.resolve(deps));

type Listed = { event: string; messageId: string; timestamp: string; value: unknown; warning?: string; credits: Record<string, unknown[]> };

async function view(handler: typeof getUser, id: string): Promise<{ status: number; conversions: Listed[]; touches: unknown[] }> {
  const result = await handler({ headers: { 'x-api-key': API_KEY }, pathParameters: { id } } as unknown as HttpEvent);
  const body = JSON.parse(String(result.body)) as { conversions?: Listed[]; touches?: unknown[] };
  return { status: Number(result.statusCode), conversions: body.conversions ?? [], touches: body.touches ?? [] };
}

const t0 = '2026-05-04T09:00:00.000Z';
const email = { channel: 'Email', source: 'newsletter', campaign: 'may' };
const paid = { channel: 'Paid Search', source: 'google', campaign: null };

describe('the debug view lists conversions with their credit at their moment', () => {
  const buyer = twoDeviceBuyer(t0, { campaign: 'may', laptopOrder: { revenue: 'lots' } });
  const { userId, phone, laptop, orders } = buyer;

  beforeAll(async () => {
    // The laptop's order has a revenue that is not a number.
    await createTables(config);
    await storeAndDerive(deps, buyer.events);
  });

  it("lists a user's conversions over every device, oldest first, each credited with the touches before it only", async () => {
    // Act
    const { status, conversions, touches } = await view(getUser, userId);

    // Assess
    expect(status).toBe(200);
    expect(touches).toHaveLength(3);
    expect(conversions.map((c) => [c.messageId, c.event, c.timestamp])).toEqual([
      [orders.phone, 'Order Completed', at(t0, 60)],
      [orders.laptop, 'Order Completed', at(t0, 4 * 24 * 60)],
    ]);
    const [first, second] = conversions;
    expect(first?.value).toEqual({ amount: 120, currency: 'EUR' });
    expect(first?.warning).toBeUndefined();
    expect(first?.credits).toEqual({
      first_touch: [{ ...email, credit: 1 }],
      last_touch: [{ ...email, credit: 1 }],
      linear: [{ ...email, credit: 1 }],
      time_decay: [{ ...email, credit: 1 }],
      position_based: [{ ...email, credit: 1 }],
    });
    expect(second?.value).toBeNull();
    expect(second?.warning).toBe('properties.revenue is not a number');
    expect(second?.credits.first_touch).toEqual([{ ...email, credit: 1 }]);
    expect(second?.credits.last_touch).toEqual([{ ...paid, credit: 1 }]);
    expect(second?.credits.linear).toEqual([
      { ...email, credit: 0.5 },
      { ...paid, credit: 0.5 },
    ]);
    expect(JSON.stringify(conversions)).not.toContain('linkedin');
  });

  it("lists an anonymous visitor's own conversions, credited with every device of the person, as Segment is told", async () => {
    // Act
    const ofLaptop = await view(getAnonymous, laptop);
    const ofPhone = await view(getAnonymous, phone);

    // Assess: the laptop's order has the phone's newsletter visit as its first touch
    expect(ofLaptop.conversions.map((c) => c.messageId)).toEqual([orders.laptop]);
    expect(ofLaptop.conversions[0]?.credits.first_touch).toEqual([{ ...email, credit: 1 }]);
    expect(ofLaptop.conversions[0]?.credits.last_touch).toEqual([{ ...paid, credit: 1 }]);
    expect(ofPhone.conversions.map((c) => c.messageId)).toEqual([orders.phone]);
  });

  it('finds a user and a visitor known only from a conversion, credited to Direct', async () => {
    // Prepare
    const buyer = `u-${randomUUID()}`;
    const visitor = `a-${randomUUID()}`;
    await storeAndDerive(deps, [
      orderEvent({ userId: buyer, timestamp: t0, properties: { total: '19.90', currency: 'usd' } }),
      orderEvent({ anonymousId: visitor, timestamp: t0, properties: { value: -5 } }),
    ]);

    // Act
    const user = await view(getUser, buyer);
    const anonymous = await view(getAnonymous, visitor);

    // Assess
    const direct = [{ channel: 'Direct', source: '(direct)', campaign: null, credit: 1 }];
    expect(user.status).toBe(200);
    expect(user.touches).toEqual([]);
    expect(user.conversions).toHaveLength(1);
    expect(user.conversions[0]).toMatchObject({
      value: { amount: 19.9, currency: 'usd' },
      credits: { first_touch: direct, linear: direct },
    });
    expect(anonymous.status).toBe(200);
    expect(anonymous.conversions[0]).toMatchObject({
      value: null,
      warning: 'properties.value is negative',
      credits: { last_touch: direct },
    });
  });

  it("lists a shared device's conversion under the first of its users only, as the report counts it", async () => {
    // Prepare: one device, an order before anyone signs in, then two people sign in on it
    const device = `shared-${randomUUID()}`;
    const [firstUser, secondUser] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    await storeAndDerive(deps, [
      pageEvent({ anonymousId: device, timestamp: t0, referrer: 'https://www.google.com/' }),
      orderEvent({ anonymousId: device, timestamp: at(t0, 5), properties: { revenue: 10, currency: 'EUR' } }),
      identifyEvent({ anonymousId: device, userId: secondUser, timestamp: at(t0, 10) }),
      identifyEvent({ anonymousId: device, userId: firstUser, timestamp: at(t0, 20) }),
    ]);

    // Act
    const [first, second] = await Promise.all([view(getUser, firstUser), view(getUser, secondUser)]);

    // Assess
    expect(first.conversions).toHaveLength(1);
    expect(second.status).toBe(200);
    expect(second.conversions).toEqual([]);
  });

  it('lists none when conversions are off, and still answers 404 for an unknown id', async () => {
    // Prepare: the same tables, without CONVERSION_EVENTS
    const off = depsFor(parseConfig({ ...env, CONVERSION_EVENTS: '' }));

    // Act
    const known = await view(createViewHandler('user', off), userId);
    const unknown = await view(createViewHandler('user', off), `u-${randomUUID()}`);

    // Assess
    expect(known.status).toBe(200);
    expect(known.touches).toHaveLength(3);
    expect(known.conversions).toEqual([]);
    expect(unknown.status).toBe(404);
  });
});
