import { randomUUID } from 'node:crypto';
import { linkIdentities } from '../../src/app/link-identities';
import { getAnonymousView, getUserView } from '../../src/app/visitor-view';
import { buildDeps, type Deps } from '../../src/handlers/deps';
import { freshConfig } from '../helpers/tables';

const link = (o: { type: string; userId?: string; anonymousId?: string; previousId?: string }) => ({
  messageId: randomUUID(),
  timestamp: '2026-01-01T00:00:00.000Z',
  ...o,
});

describe('identity links in DynamoDB Local', () => {
  let deps: Deps;

  beforeAll(async () => {
    deps = buildDeps(await freshConfig());
  });

  it('links from identify, alias and any event with both ids, in both directions', async () => {
    // Prepare
    const user = randomUUID();
    const [a1, a2, a3] = [randomUUID(), randomUUID(), randomUUID()];

    // Act
    await linkIdentities(
      [
        link({ type: 'identify', userId: user, anonymousId: a1 }),
        link({ type: 'alias', userId: user, previousId: a2 }),
        link({ type: 'page', userId: user, anonymousId: a3 }),
        link({ type: 'identify', userId: user, anonymousId: a1 }),
        link({ type: 'identify', userId: user }),
      ],
      deps.identity,
    );

    // Assess
    expect((await deps.identity.anonymousIdsOf(user)).sort()).toEqual([a1, a2, a3].sort());
    expect(await deps.identity.userIdsOf(a2)).toEqual([user]);
  });

  it('keeps an anonymous id shared by two users linked to both', async () => {
    // Prepare
    const shared = randomUUID();

    // Act
    await linkIdentities(
      [link({ type: 'identify', userId: 'alice', anonymousId: shared }), link({ type: 'identify', userId: 'bob', anonymousId: shared })],
      deps.identity,
    );

    // Assess
    expect((await deps.identity.userIdsOf(shared)).sort()).toEqual(['alice', 'bob']);
  });

  it('keeps each link at its earliest time, whatever order the identifies arrive in', async () => {
    // Prepare
    const user = randomUUID();
    const anonymousId = randomUUID();
    const at = (timestamp: string) => ({ ...link({ type: 'identify', userId: user, anonymousId }), timestamp });

    // Act: a first identify, a later one, then an earlier one arriving late (in one batch with a later one)
    await linkIdentities([at('2026-03-10T00:00:00.000Z')], deps.identity);
    await linkIdentities([at('2026-04-01T00:00:00.000Z')], deps.identity);
    const afterLater = await deps.identity.linksOf(user);
    await linkIdentities([at('2026-05-01T00:00:00.000Z'), at('2026-02-01T00:00:00.000Z')], deps.identity);

    // Assess
    expect(afterLater).toEqual([{ anonymousId, linkedAt: '2026-03-10T00:00:00.000Z' }]);
    expect(await deps.identity.linksOf(user)).toEqual([{ anonymousId, linkedAt: '2026-02-01T00:00:00.000Z' }]);
  });

  it('answers unknown ids with nothing, so the API can say 404', async () => {
    // Act
    const user = await getUserView(randomUUID(), deps.identity, deps.touches);
    const anon = await getAnonymousView(randomUUID(), deps.identity, deps.touches);

    // Assess
    expect(user).toBeUndefined();
    expect(anon).toBeUndefined();
  });
});
