import { FakeHttpServer } from './fake-http-server';

/** A minimal provider: POST /items stores an item, GET /items lists them. */
class ItemsFake extends FakeHttpServer {
  readonly items: unknown[] = [];
  constructor() {
    super('items');
    this.route('POST', '/items', (req) => {
      this.items.push(req.body);
      return { status: 201, body: { stored: this.items.length } };
    });
    this.route('GET', '/items', () => ({ status: 200, body: this.items }));
  }
}

describe('FakeHttpServer faults', () => {
  const fake = new ItemsFake();
  const post = (body: unknown, signal?: AbortSignal) =>
    fetch(`${fake.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    fake.items.length = 0;
  });

  it("'apply-and-hang' applies the route's effect, then never answers", async () => {
    fake.inject({ match: (r) => r.method === 'POST', respond: 'apply-and-hang' });
    await expect(post({ n: 1 }, AbortSignal.timeout(300))).rejects.toThrow();
    expect(fake.items).toEqual([{ n: 1 }]);
    expect(fake.held.map((r) => r.body)).toEqual([{ n: 1 }]);
    // One request only (times = 1): the next one is answered as usual.
    const res = await post({ n: 2 });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ stored: 2 });
    expect(fake.held).toHaveLength(1);
  });

  it("'hang' never reaches the route: nothing is applied", async () => {
    fake.inject({ match: (r) => r.method === 'POST', respond: 'hang' });
    await expect(post({ n: 1 }, AbortSignal.timeout(300))).rejects.toThrow();
    expect(fake.items).toEqual([]);
    expect(fake.held).toEqual([]);
  });

  it('a held request is released (socket closed) when the fake stops', async () => {
    const other = await new ItemsFake().start();
    other.inject({ match: () => true, respond: 'apply-and-hang' });
    const pending = fetch(`${other.url}/items`, { method: 'POST', body: '{}' });
    const deadline = Date.now() + 2000;
    while (other.held.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(other.items).toHaveLength(1);
    await other.stop();
    await expect(pending).rejects.toThrow();
  });
});
