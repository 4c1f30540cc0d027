import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per merchant: a purchase above the fraud threshold (minor units) is refused as suspected fraud. */
@Entity('merchant_rules')
export class MerchantRule {
  @PrimaryColumn({ name: 'merchant_id', type: 'varchar', length: 64 })
  merchantId!: string;

  @Column({ name: 'fraud_threshold', type: 'int' })
  fraudThreshold!: number;
}
