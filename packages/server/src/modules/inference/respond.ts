// Writes /v2 infer answers: JSON text with 64-bit integers as exact literals, or, when outputs are binary,
// Triton's frame (the JSON header, then each binary output's bytes; Inference-Header-Content-Length).
import type { FastifyReply } from 'fastify';
import { HEADER_LENGTH } from './body.ts';
import type { InferAnswer, InferResponseBody, ResponseOutput } from './schemas.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** A data array as JSON text; BigInts (64-bit outputs) become their exact digits, which JSON.stringify refuses. */
const dataText = (data: readonly unknown[]): string =>
  data.length > 0 && typeof data[0] === 'bigint' ? `[${data.join(',')}]` : JSON.stringify(data);

const outputText = ({ data, ...rest }: ResponseOutput): string => {
  const head = JSON.stringify(rest);
  return data === undefined ? head : `${head.slice(0, -1)},"data":${dataText(data)}}`;
};

/** The answer's JSON text: as JSON.stringify would write it, except that 64-bit integers keep every digit. */
export const stringifyInferResponse = ({ outputs, ...rest }: InferResponseBody): string =>
  `${JSON.stringify(rest).slice(0, -1)},"outputs":[${outputs.map(outputText).join(',')}]}`;

export const sendInferAnswer = (reply: FastifyReply, { body, chunks }: InferAnswer) => {
  const text = stringifyInferResponse(body);
  if (chunks.length === 0) return reply.type(JSON_TYPE).send(text);
  const header = Buffer.from(text, 'utf8');
  return reply
    .header(HEADER_LENGTH, String(header.length))
    .type('application/octet-stream')
    .send(Buffer.concat([header, ...chunks]));
};
