import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, runCommandOrThrow } from './run-command';

/** Files the broker's SSL listener needs plus the CA clients must trust. */
export interface TlsMaterial {
  /** CA certificate (PEM); clients trust it, and the broker uses it as a PEM truststore. */
  caPath: string;
  /** PKCS12 keystore with the server key, server cert and CA chain. */
  keystorePath: string;
  storePassword: string;
}

const VALID_DAYS = '3650';

/** Returns the CA + server keystore in `dir`, generating them with openssl on first use (reused afterwards so `caPath` stays valid across restarts). */
export async function ensureTlsMaterial(dir: string): Promise<TlsMaterial> {
  const material: Omit<TlsMaterial, 'storePassword'> = {
    caPath: path.join(dir, 'ca.pem'),
    keystorePath: path.join(dir, 'keystore.p12'),
  };
  // Written last by generate(), so its presence means the whole set is complete.
  const passwordPath = path.join(dir, 'store-password');
  if (!existsSync(passwordPath)) {
    try {
      await generate(dir, material, passwordPath);
    } catch (err) {
      throw new Error(
        `Generating TLS material for the local Kafka SASL_SSL listener in ${dir} failed: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }
  return { ...material, storePassword: (await readFile(passwordPath, 'utf8')).trim() };
}

async function generate(
  dir: string,
  material: Omit<TlsMaterial, 'storePassword'>,
  passwordPath: string,
): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const storePassword = randomBytes(18).toString('hex');
  const file = (name: string): string => path.join(dir, name);
  // Passed via env:, not pass:, so the password never shows up in `ps`.
  const env = { ...process.env, LOCAL_KAFKA_STORE_PASSWORD: storePassword };
  const openssl = (args: string[]): Promise<string> => runCommandOrThrow('openssl', args, { cwd: dir, env });
  // EC keys: generated in milliseconds, unlike RSA, and supported by both the JVM and Node's TLS.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  // prettier-ignore
  await openssl([
    'req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', material.caPath, '-days', VALID_DAYS,
    '-subj', '/CN=StreamForge local Kafka CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  // prettier-ignore
  await openssl([
    'req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost',
  ]);
  await writeFile(
    file('server-ext.cnf'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      // Clients connect to 127.0.0.1 (what the broker advertises); localhost is for humans.
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  // prettier-ignore
  await openssl([
    'x509', '-req', '-in', file('server.csr'), '-CA', material.caPath, '-CAkey', file('ca.key'),
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', VALID_DAYS,
    '-extfile', file('server-ext.cnf'), '-out', file('server.pem'),
  ]);
  // prettier-ignore
  await openssl([
    'pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-certfile', material.caPath,
    '-name', 'kafka', '-out', material.keystorePath, '-passout', 'env:LOCAL_KAFKA_STORE_PASSWORD',
  ]);
  await writeFile(passwordPath, `${storePassword}\n`, { mode: 0o600 });
}
