/**
 * ioredis puts a failed command's arguments on its error (`error.command.args`), so a refused
 * `AUTH` or `HELLO 3 AUTH user password` carries the Redis password to whoever logs the error
 * (pino copies an error's fields). The password arguments of those two commands are made to show
 * as "[redacted]" in JSON and in util.inspect; the array itself, which ioredis writes to the
 * socket, is left as it is. Installed once for every ioredis client of the process (Cluster nodes
 * and BullMQ's duplicates included), since they all share Redis.prototype.sendCommand.
 */
import { inspect } from 'node:util';
import { Redis } from 'ioredis';

const REDACTED = '[redacted]';
let installed = false;

export function redactAuthArguments(): void {
  if (installed) return;
  installed = true;
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, command, stream) {
    const name = String(command?.name ?? '').toLowerCase();
    if ((name === 'auth' || name === 'hello') && Array.isArray(command.args)) hideSecrets(command.args, name);
    return send.call(this, command, stream);
  } as typeof send;
}

function hideSecrets(args: unknown[], name: string): void {
  // AUTH [user] password: the last one. HELLO proto AUTH user password [SETNAME n]: the one after the user.
  const auth = args.findIndex((a) => String(a).toUpperCase() === 'AUTH');
  const secret = name === 'auth' ? args.length - 1 : auth >= 0 ? auth + 2 : -1;
  if (secret < 0 || secret >= args.length) return;
  const shown = () => args.map((a, i) => (i === secret ? REDACTED : a));
  Object.defineProperty(args, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(args, inspect.custom, { value: () => inspect(shown()), enumerable: false });
}
