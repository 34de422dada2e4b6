import type { z } from 'zod';
import type { appSpecSchema } from './app-spec.js';

// Ready-made specs a project may name as its `template` instead of writing one.

type SpecInput = z.input<typeof appSpecSchema>;

export const TEMPLATES: Readonly<Record<string, { description: string; spec: SpecInput }>> = {
  todo: {
    description: 'A to-do list: lists with their items.',
    spec: {
      entities: [
        { name: 'List', fields: [{ name: 'title', type: 'string', required: true, max_length: 200 }] },
        {
          name: 'Item',
          parent: 'List',
          fields: [
            { name: 'text', type: 'string', required: true, max_length: 500 },
            { name: 'done', type: 'boolean', required: true },
            { name: 'due_on', type: 'date' },
          ],
          relations: [{ name: 'list', kind: 'belongs_to', target: 'List', required: true }],
        },
      ],
    },
  },
  crm: {
    description: 'Companies, their contacts and deals; signing in is needed to change anything.',
    spec: {
      entities: [
        {
          name: 'Company',
          plural: 'companies',
          auth: 'write',
          fields: [
            { name: 'name', type: 'string', required: true, unique: true, max_length: 200 },
            { name: 'website', type: 'url' },
          ],
        },
        {
          name: 'Contact',
          auth: 'write',
          fields: [
            { name: 'name', type: 'string', required: true },
            { name: 'email', type: 'email', required: true, unique: true },
          ],
          relations: [{ name: 'company', kind: 'belongs_to', target: 'Company' }],
        },
        {
          name: 'Deal',
          auth: true,
          fields: [
            { name: 'title', type: 'string', required: true },
            { name: 'amount', type: 'number', required: true, minimum: 0 },
            { name: 'stage', type: 'enum', values: ['lead', 'won', 'lost'], required: true },
            { name: 'closes_at', type: 'datetime' },
          ],
          relations: [
            { name: 'company', kind: 'belongs_to', target: 'Company', required: true },
            { name: 'contacts', kind: 'many_to_many', target: 'Contact' },
          ],
        },
      ],
    },
  },
};
