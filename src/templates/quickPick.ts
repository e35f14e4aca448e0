/**
 * What the New Model from Template command shows, without vscode: the template items (a one-line
 * description, parameters and MACs at the reference shape), the input-shape box's validation, and the
 * file the template is written to.
 */
import { checkInput, formatMacs, formatParams, referenceLabel, type TemplateInfo, TEMPLATES } from './catalogue';

export interface TemplatePickItem {
  label: string;
  description: string;
  detail: string;
  template: TemplateInfo;
}

export function templatePickItems(): TemplatePickItem[] {
  return TEMPLATES.map((t) => ({
    label: t.title,
    description: `${formatParams(t.params)} params · ${formatMacs(t.macs)} MACs at ${referenceLabel(t, '×')}`,
    detail: t.description,
    template: t,
  }));
}

/** The input box's validation message for an input shape, or undefined when it is fine for the template. */
export function validateShapeInput(text: string, template: TemplateInfo): string | undefined {
  const shape = parseShape(text);
  if (!shape) return 'Height, width and channels, e.g. 224,224,3';
  try {
    checkInput(template, shape);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

export function parseShape(text: string): number[] | undefined {
  const parts = text.split(/[,x×]/).map((p) => p.trim());
  const dims = parts.map(Number);
  return parts.length && parts.every((p, i) => p !== '' && Number.isInteger(dims[i]) && dims[i] > 0) ? dims : undefined;
}

export function validateClassesInput(text: string): string | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n > 0 ? undefined : 'A positive whole number of classes';
}

/** `resnet18.model.ts`, or `resnet18-2.model.ts` when taken. */
export function modelFileName(template: TemplateInfo, exists: (name: string) => boolean): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? `${template.id}.model.ts` : `${template.id}-${i}.model.ts`;
    if (!exists(name)) return name;
  }
}
