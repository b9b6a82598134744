import { baseConfigSchema } from '@tremplin/service-kit';

export const configSchema = baseConfigSchema;
