// The item-to-item neighbour table that co-occurrence and the "buy next" sequence table both produce.

/** Per item its top-M neighbours (-1 pads a short row) and their similarities, row-major [N, M]. */
export interface NeighbourTable {
  m: number;
  neighbours: Int32Array;
  weights: Float32Array;
}
