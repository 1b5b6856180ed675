/**
 * `sslsock/select` — Python's `select` module for sslsock sockets:
 * `import { select } from 'sslsock/select'`. The `selectors` module is
 * `sslsock/selectors`.
 */
export { select } from './select.js';
export { OSError as error } from '../socket/errors.js';
