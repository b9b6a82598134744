import { runServiceMain } from '@tremplin/service-kit';
import { service } from './service';

runServiceMain(service);
