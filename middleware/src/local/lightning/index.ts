export { APEX_MESSAGES, DEAL_DESK_CONTROLLER } from './apex-contract.ts';
export { buildLightningBundle, lightningCacheDir } from './build.ts';
export { createLightningLocal, type LightningLocal } from './router.ts';
