import type { Principal } from '@interco/auth';
import type { FastifyRequest } from 'fastify';

/** The caller of an authenticated route (set by the authentication hook). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('an authenticated route ran without a principal');
  return request.principal;
}
