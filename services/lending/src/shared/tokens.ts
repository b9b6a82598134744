export const EVENT_STORE = Symbol('EVENT_STORE');
export const LOAN_HANDLER = Symbol('LOAN_HANDLER');
export const PRODUCT_HANDLER = Symbol('PRODUCT_HANDLER');
export const READ_MODEL = Symbol('READ_MODEL');
export const CONTRACTS = Symbol('CONTRACTS');
export const LENDING_CONFIG = Symbol('LENDING_CONFIG');
