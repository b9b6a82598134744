// jose 6 ships ES modules only: Node ≥ 20.19 loads it with require(), and Jest compiles it (jest.config.js).
export * as jose from 'jose';
export type { JWK, JSONWebKeySet, JWTPayload } from 'jose';
