import http2, { type Http2Server, type ServerHttp2Stream } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { Metadata, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { LeanChannel } from '../../../src/client/h2/channel.js';
import { DEFAULT_KEEPALIVE, type KeepAliveOptions } from '../../../src/client/h2/keepalive.js';
import type { CallError } from '../../../src/client/h2/status.js';

// The lean transport against node:http2 servers that misbehave on purpose: what the embedded
// broker never does (GOAWAY mid-flight, tiny windows, stream limits, silence) still ends well.

const servers: Array<Http2Server | net.Server> = [];
const sessions: http2.ServerHttp2Session[] = [];
const channels: LeanChannel[] = [];
afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  for (const s of sessions.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function grpcFrame(body: Buffer): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.writeUInt32BE(body.length, 1);
  body.copy(out, 5);
  return out;
}

/** Answers OK with a one-byte message after the request body arrived (what a unary handler does). */
function answerOk(stream: ServerHttp2Stream): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(grpcFrame(Buffer.from([8, 1])));
}

async function listen(
  onStream: (stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => void,
  settings: http2.Settings = {},
): Promise<{ url: string; server: Http2Server }> {
  const server = http2.createServer({ settings });
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream, headers) => {
    // Resets and goaways are the point of these tests: the server side shrugs them off.
    stream.on('error', () => undefined);
    onStream(stream, headers);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function channel(url: string, keepAlive: KeepAliveOptions = DEFAULT_KEEPALIVE): LeanChannel {
  const c = new LeanChannel(url, { keepAlive, initialBackoffMs: 10, maxBackoffMs: 20 });
  channels.push(c);
  return c;
}

function call(c: LeanChannel, body: Uint8Array, metadata?: Metadata): Promise<CallError | null> {
  return new Promise((resolve) => c.unary(c.headerBlock('/test.Service/Call', metadata), body, (err) => resolve(err), undefined));
}

const readAll = (stream: ServerHttp2Stream): Promise<Buffer> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });

describe('lean HTTP/2 transport', () => {
  it('sends gRPC requests with the headers gRPC needs and reads statuses, also trailers-only and percent-encoded ones', async () => {
    const seen: http2.IncomingHttpHeaders[] = [];
    const { url } = await listen((stream, headers) => {
      seen.push(headers);
      if (headers.authorization) answerOk(stream);
      else
        stream.respond(
          { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'no%20token%20%E2%9C%97' },
          { endStream: true },
        );
    });
    const c = channel(url);
    const md = new Metadata();
    md.set('authorization', 'Bearer abc');
    md.set('x-danube-broker-url', 'http://broker-1:6650');
    expect(await call(c, Buffer.from('hi'), md)).toBeNull();
    const err = await call(c, Buffer.from('hi'));
    expect(err).toMatchObject({ code: status.UNAUTHENTICATED, details: 'no token ✗' });
    expect(seen[0]).toMatchObject({
      ':method': 'POST',
      ':path': '/test.Service/Call',
      ':scheme': 'http',
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: 'Bearer abc',
      'x-danube-broker-url': 'http://broker-1:6650',
    });
  });

  it('sends a message larger than the broker windows and frame size in flow-controlled pieces', async () => {
    const { url } = await listen(async (stream) => {
      const body = await readAll(stream);
      if (body.length === 5 + 3_000_000 && body.readUInt32BE(1) === 3_000_000 && body[5 + 2_999_999] === 7) answerOk(stream);
      else
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '3', 'grpc-message': `got ${body.length}` }, { endStream: true });
    });
    const c = channel(url);
    const big = Buffer.alloc(3_000_000, 7);
    expect(await Promise.all([call(c, big), call(c, big), call(c, Buffer.from('small'))])).toEqual([null, null, expect.anything()]);
  });

  it('sends a header block larger than a frame in CONTINUATION frames', async () => {
    let token = '';
    const { url } = await listen((stream, headers) => {
      token = String(headers.authorization);
      answerOk(stream);
    });
    const md = new Metadata();
    md.set('authorization', `Bearer ${'t'.repeat(40_000)}`);
    expect(await call(channel(url), Buffer.from('x'), md)).toBeNull();
    expect(token.length).toBe(7 + 40_000);
  });

  it('keeps to the broker limit on concurrent streams', async () => {
    let open = 0;
    let most = 0;
    const { url } = await listen(
      (stream) => {
        most = Math.max(most, ++open);
        stream.on('close', () => open--);
        setTimeout(() => answerOk(stream), 20);
      },
      { maxConcurrentStreams: 2 },
    );
    const c = channel(url);
    // The first call learns the limit from the broker's SETTINGS.
    expect(await call(c, Buffer.from('1'))).toBeNull();
    const results = await Promise.all(Array.from({ length: 10 }, () => call(c, Buffer.from('x'))));
    expect(results).toEqual(Array(10).fill(null));
    expect(most).toBeLessThanOrEqual(2);
  });

  it('on GOAWAY fails the calls the broker did not take with UNAVAILABLE, and opens a new connection for later calls', async () => {
    const seen = new Set<http2.Http2Session>();
    const held: ServerHttp2Stream[] = [];
    const { url } = await listen((stream) => {
      seen.add(stream.session!);
      if (seen.size > 1) return answerOk(stream);
      held.push(stream);
      if (held.length === 3) {
        // Take only the first stream; the broker is going away.
        stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, held[0]!.id!);
        answerOk(held[0]!);
      }
    });
    const c = channel(url);
    const results = await Promise.all([call(c, Buffer.from('a')), call(c, Buffer.from('b')), call(c, Buffer.from('c'))]);
    expect(results[0]).toBeNull();
    expect(results.slice(1).map((e) => e?.code)).toEqual([status.UNAVAILABLE, status.UNAVAILABLE]);
    expect(await call(c, Buffer.from('d'))).toBeNull();
    expect(seen.size).toBe(2);
  });

  it('maps a stream reset to a status and a cancel to CANCELLED (resetting the stream on the broker)', async () => {
    let resetCode: number | undefined;
    const { url } = await listen((stream, headers) => {
      if (headers['x-mode'] === 'refuse') return stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      stream.on('close', () => (resetCode = stream.rstCode));
    });
    const c = channel(url);
    const md = new Metadata();
    md.set('x-mode', 'refuse');
    expect((await call(c, Buffer.from('x'), md))?.code).toBe(status.UNAVAILABLE);
    const cancelled = new Promise<CallError | null>((resolve) => {
      const pending = c.unary(c.headerBlock('/test.Service/Call', undefined), Buffer.from('x'), (err) => resolve(err), undefined);
      setTimeout(() => pending.cancel(), 50);
    });
    expect((await cancelled)?.code).toBe(status.CANCELLED);
    await new Promise((r) => setTimeout(r, 100));
    expect(resetCode).toBe(http2.constants.NGHTTP2_CANCEL);
  });

  it('closes a connection whose broker stopped answering, by keepalive pings', async () => {
    const silent = net.createServer((socket) => socket.on('data', () => undefined));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const c = channel(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeMs: 100, timeoutMs: 100, permitWithoutCalls: false });
    const started = Date.now();
    const err = await call(c, Buffer.from('x'));
    expect(err).toMatchObject({ code: status.UNAVAILABLE });
    expect(err!.details).toMatch(/keepalive/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('holds a paused receive stream back by flow control and hands over everything, in order, on resume', async () => {
    let written = 0;
    const { url } = await listen((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      const payload = Buffer.alloc(1024, 1);
      const writeMore = (): void => {
        while (written < 3_000) {
          const message = grpcFrame(Buffer.concat([Buffer.from([written >> 8, written & 0xff]), payload]));
          written++;
          if (!stream.write(message)) return void stream.once('drain', writeMore);
        }
        stream.end();
      };
      writeMore();
    });
    const c = channel(url);
    const got: number[] = [];
    let ended: CallError | undefined | null = null;
    const s = c.serverStream(c.headerBlock('/test.Service/Stream', undefined), Buffer.alloc(0), {
      onMessage: (bytes) => {
        got.push((bytes[0]! << 8) | bytes[1]!);
        if (got.length === 1) s.pause();
      },
      onEnd: (err) => (ended = err),
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(got).toEqual([0]);
    // The broker could only write what our window (1 MiB) and its own buffers let through.
    expect(written).toBeLessThan(2_000);
    s.resume();
    const until = Date.now() + 5_000;
    while (ended === null && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBeUndefined();
    expect(got).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
  });
});
