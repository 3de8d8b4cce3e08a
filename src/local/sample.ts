/** The sample `npm start` uploads, and the column schema that goes with it (so that each column has one type). */
export const SAMPLE = { csv: 'examples/ec2-instances.csv', schema: 'examples/schema.json' } as const;
