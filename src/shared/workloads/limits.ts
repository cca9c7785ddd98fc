// Kept free of zod: the worker imports it, and every worker thread would otherwise load zod.

/** Largest tuple length accepted: beyond this no result fits any memory anyway. */
export const MAX_K = 64
