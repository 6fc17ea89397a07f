/** Getting credentials from a running Capstan the way a client would. */

/** POST /oauth/token with HTTP Basic client credentials; returns the Authorization header to send. */
export async function bearer(baseUrl: string, clientId: string, secret: string): Promise<{ authorization: string }> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`no token for ${clientId}: ${res.status} ${JSON.stringify(body)}`);
  return { authorization: `Bearer ${body.access_token}` };
}

/** The administrator a first start prints, read from `capstan serve`'s output. */
export function firstRunCredentials(output: string): { clientId: string; secret: string; username: string; password: string } | undefined {
  const client = /client id (\S+)\s+secret (\S+)/.exec(output);
  const user = /username (\S+)\s+password (\S+)/.exec(output);
  return client && user ? { clientId: client[1]!, secret: client[2]!, username: user[1]!, password: user[2]! } : undefined;
}
