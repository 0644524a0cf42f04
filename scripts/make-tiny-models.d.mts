/** The tiny BERT-style model's folder name under the output folder. */
export const TINY_MODEL: string;
/** Its hidden size: the dimension of its sentence vectors. */
export const TINY_HIDDEN: number;
/** Writes the tiny model under `outDir/tiny-bert` and returns that folder. */
export function makeTinyModels(outDir: string): string;
