/** CB158 quantizer (cb158.md, CB158-SPEC.md). Importing it installs the encoder of the `cb158` layout. */
import { packCb158 } from "../../../formats/layouts/cb158-pack.js";
import { setCb158Encoder } from "../../../formats/layouts/cb158.js";
import { quantizeCb158 } from "./quantize.js";

export { quantizeCb158, type Cb158Options, type Cb158Result, type Cb158Stats } from "./quantize.js";
export { reconstructCb158 } from "./reconstruct.js";
export { importanceWeightedError, flooredImportance } from "./importance.js";

setCb158Encoder((values, shape, bpw) => packCb158(quantizeCb158(values, shape, { bpw }).tensor));
