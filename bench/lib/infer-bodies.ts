// The /v2 infer bodies the inference benchmarks send: single rows of floats rounded to 4 decimals, as a client
// would send them, in `count` variants.

export const inferBodies = (width: number, count = 32): string[] =>
  Array.from({ length: count }, (_, b) =>
    JSON.stringify({
      inputs: [
        {
          name: 'x',
          datatype: 'FP32',
          shape: [1, width],
          data: Array.from({ length: width }, (_, i) => Math.round(Math.sin(b * 7919 + i) * 1e4) / 1e4),
        },
      ],
    }),
  );
