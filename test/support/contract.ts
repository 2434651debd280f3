import { readFile } from 'node:fs/promises'
import { CONTRACT_FILE } from '../../src/contract.ts'
import type { TestContext } from '../helper.ts'
import { STRONG_PASSWORD, createStaff, login, supplierId } from './auth.ts'
import { twoCustomers } from './customers.ts'

/** The parts of the committed OpenAPI document the contract-wide tests walk. */
export type ContractSchema = {
  $ref?: string
  type?: string | string[]
  properties?: Record<string, ContractSchema>
  items?: ContractSchema
  anyOf?: ContractSchema[]
  oneOf?: ContractSchema[]
  allOf?: ContractSchema[]
}
export interface ContractOperation {
  operationId: string
  parameters?: { name: string; in: string; schema: ContractSchema }[]
  requestBody?: { content: Record<string, { schema: ContractSchema }> }
}
export interface Contract {
  paths: Record<string, Record<string, ContractOperation>>
  components: { schemas: Record<string, ContractSchema> }
}

export async function readContract(): Promise<Contract> {
  return JSON.parse(await readFile(CONTRACT_FILE, 'utf8')) as Contract
}

/** A schema with its `$ref`s followed to the component they name. */
export function resolveIn(contract: Contract): (schema: ContractSchema) => ContractSchema {
  const resolve = (schema: ContractSchema): ContractSchema => (schema.$ref ? resolve(contract.components.schemas[schema.$ref.split('/').pop()!]!) : schema)
  return resolve
}

/** The demo register with a customer (Ivan), an operator of the heat supplier and an admin, each logged in. */
export async function everyCaller(): Promise<{ ctx: TestContext; close: () => Promise<void>; customer: string; operator: string; admin: string }> {
  const { ctx, close } = await twoCustomers()
  const heat = await supplierId(ctx, 'sibteplo')
  await createStaff(ctx, 'operator', 'op@heat.test', STRONG_PASSWORD, heat)
  await createStaff(ctx, 'admin', 'root@abonent.test', STRONG_PASSWORD)
  return {
    ctx,
    close,
    customer: (await login(ctx, 'ivan@example.test', STRONG_PASSWORD)).accessToken,
    operator: (await login(ctx, 'op@heat.test', STRONG_PASSWORD)).accessToken,
    admin: (await login(ctx, 'root@abonent.test', STRONG_PASSWORD)).accessToken,
  }
}
