//! The emulator's catalog: a handful of real-looking Microsoft 365 products (NCE), each with
//! one SKU and one availability, and the licensing SKU (GUID) that subscriptions to it grant;
//! and a few third-party marketplace (SaaS) offers, set up on their publisher's site after
//! purchase and granting no license.

use partner_center::{
    ids::{AvailabilityId, CatalogSkuId, ProductId, SkuId},
    wire::{Availability, BillingCycle, Currency, ItemType, Link, Links, Product, Sku, Term},
};

pub struct CatalogItem {
    pub product_id: &'static str,
    pub sku_id: &'static str,
    pub availability_id: &'static str,
    pub title: &'static str,
    /// The licensing SKU that a subscription to this item grants.
    pub license_sku: &'static str,
    pub sku_part_number: &'static str,
    /// Who sells it: [`MICROSOFT`], or a marketplace publisher.
    pub publisher: &'static str,
    pub min_quantity: i64,
    pub max_quantity: i64,
    pub service_plans: &'static [(&'static str, &'static str)],
}

pub const ITEMS: &[CatalogItem] = &[
    CatalogItem {
        product_id: "CFQ7TTC0LH18",
        sku_id: "0001",
        availability_id: "CFQ7TTC0K971",
        title: "Microsoft 365 Business Basic",
        license_sku: "3b555118-da6a-4418-894f-7df1e2096870",
        sku_part_number: "O365_BUSINESS_ESSENTIALS",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 300,
        service_plans: &[
            ("Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD"),
            ("Microsoft Teams", "TEAMS1"),
        ],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LCHC",
        sku_id: "0002",
        availability_id: "CFQ7TTC0K5DM",
        title: "Microsoft 365 Business Standard",
        license_sku: "f245ecc8-75af-4f8e-b61f-27d8114de5f3",
        sku_part_number: "O365_BUSINESS_PREMIUM",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 300,
        service_plans: &[
            ("Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD"),
            ("Microsoft 365 Apps for business", "OFFICE_BUSINESS"),
        ],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LCHC",
        sku_id: "0003",
        availability_id: "CFQ7TTC0K5DN",
        title: "Microsoft 365 Business Premium",
        license_sku: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46",
        sku_part_number: "SPB",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 300,
        service_plans: &[
            ("Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD"),
            ("Microsoft Intune", "INTUNE_A"),
        ],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LFLX",
        sku_id: "0001",
        availability_id: "CFQ7TTC0K59N",
        title: "Office 365 E3",
        license_sku: "6fd2c87f-b296-42f0-b197-1e91e994b900",
        sku_part_number: "ENTERPRISEPACK",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 10000,
        service_plans: &[
            ("Exchange Online (Plan 2)", "EXCHANGE_S_ENTERPRISE"),
            ("SharePoint (Plan 2)", "SHAREPOINTENTERPRISE"),
        ],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LFK5",
        sku_id: "0002",
        availability_id: "CFQ7TTC0K5B3",
        title: "Microsoft 365 E5",
        license_sku: "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        sku_part_number: "SPE_E5",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 10000,
        service_plans: &[
            ("Exchange Online (Plan 2)", "EXCHANGE_S_ENTERPRISE"),
            (
                "Microsoft Defender for Office 365 (Plan 2)",
                "THREAT_INTELLIGENCE",
            ),
        ],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LHSF",
        sku_id: "0001",
        availability_id: "CFQ7TTC0K3Z2",
        title: "Exchange Online (Plan 1)",
        license_sku: "4b9405b0-7788-4568-add1-99614e613b69",
        sku_part_number: "EXCHANGESTANDARD",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 10000,
        service_plans: &[("Exchange Online (Plan 1)", "EXCHANGE_S_STANDARD")],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LHSV",
        sku_id: "0001",
        availability_id: "CFQ7TTC0K4BQ",
        title: "Power BI Pro",
        license_sku: "f8a1db68-be16-40ed-86d5-cb42ce701560",
        sku_part_number: "POWER_BI_PRO",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 10000,
        service_plans: &[("Power BI Pro", "BI_AZURE_P2")],
    },
    CatalogItem {
        product_id: "CFQ7TTC0LH0R",
        sku_id: "0001",
        availability_id: "CFQ7TTC0K8P5",
        title: "Dynamics 365 Sales Professional",
        license_sku: "be9f9771-1c64-4618-9907-244325141096",
        sku_part_number: "D365_SALES_PRO",
        publisher: MICROSOFT,
        min_quantity: 1,
        max_quantity: 10000,
        service_plans: &[("Dynamics 365 for Sales Professional", "DYN365_SALES_PRO")],
    },
];

pub const MICROSOFT: &str = "Microsoft Corporation";

/// Third-party SaaS offers of the commercial marketplace (catalog item ids in the documented
/// shape); they grant no license.
pub const MARKETPLACE: &[CatalogItem] = &[
    CatalogItem {
        product_id: "DZH318Z0BXWC",
        sku_id: "0002",
        availability_id: "DZH318Z0BMRV",
        title: "Adatum Sign",
        license_sku: "",
        sku_part_number: "",
        publisher: "Adatum Software",
        min_quantity: 1,
        max_quantity: 1000,
        service_plans: &[],
    },
    CatalogItem {
        product_id: "DZH318Z0C0WF",
        sku_id: "0001",
        availability_id: "DZH318Z0BP69",
        title: "Litware Backup",
        license_sku: "",
        sku_part_number: "",
        publisher: "Litware Inc.",
        min_quantity: 1,
        max_quantity: 1000,
        service_plans: &[],
    },
];

/// Every catalog item: Microsoft's, then the marketplace's.
pub fn all() -> impl Iterator<Item = &'static CatalogItem> {
    ITEMS.iter().chain(MARKETPLACE)
}

/// Countries the catalog is sold in.
pub const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "NL", "CA", "AU"];

impl CatalogItem {
    /// A third-party SaaS offer rather than a Microsoft product.
    pub fn is_marketplace(&self) -> bool {
        self.publisher != MICROSOFT
    }

    /// The product type the catalog gives it: NCE for Microsoft's, `Azure`/`SaaS` for the
    /// marketplace's.
    pub fn product_type(&self) -> ItemType {
        if self.is_marketplace() {
            ItemType {
                id: "Azure".into(),
                display_name: Some("Azure".into()),
                sub_type: Some(Box::new(ItemType {
                    id: "SaaS".into(),
                    display_name: Some("SaaS".into()),
                    sub_type: None,
                })),
            }
        } else {
            nce()
        }
    }

    /// The product name the directory gives the licensing SKU: mostly the catalog's title, but
    /// not always (as in real tenants), so a license cannot be matched to its subscriptions by
    /// name alone.
    pub fn license_name(&self) -> &'static str {
        match self.sku_part_number {
            "D365_SALES_PRO" => "Dynamics 365 for Sales Professional",
            _ => self.title,
        }
    }

    /// `PRODUCT:SKU`, the key of a SKU whatever its availability.
    pub fn sku_key(&self) -> String {
        format!("{}:{}", self.product_id, self.sku_id)
    }
}

pub fn by_catalog_item_id(id: &str) -> Option<&'static CatalogItem> {
    let mut parts = id.split(':');
    let (product, sku, availability) = (parts.next()?, parts.next()?, parts.next()?);
    all().find(|i| {
        i.product_id.eq_ignore_ascii_case(product)
            && i.sku_id == sku
            && i.availability_id.eq_ignore_ascii_case(availability)
    })
}

pub fn by_license_sku(sku: &SkuId) -> Option<&'static CatalogItem> {
    ITEMS.iter().find(|i| SkuId::new(i.license_sku) == *sku)
}

impl CatalogItem {
    pub fn catalog_item_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.product_id, self.sku_id, self.availability_id
        )
    }

    pub fn product(&self, country: &str) -> Product {
        let product_title = match self.product_id {
            "CFQ7TTC0LCHC" => "Microsoft 365 Business",
            _ => self.title,
        };
        Product {
            id: ProductId::new(self.product_id),
            title: Some(product_title.to_owned()),
            description: Some(format!("{product_title} for organisations of every size.")),
            product_type: Some(self.product_type()),
            is_microsoft_product: Some(!self.is_marketplace()),
            publisher_name: Some(self.publisher.into()),
            links: Some(Links {
                self_link: Some(Link::get(format!(
                    "/products/{}?country={country}",
                    self.product_id
                ))),
                other: [(
                    "skus".to_owned(),
                    Link::get(format!(
                        "/products/{}/skus?country={country}",
                        self.product_id
                    )),
                )]
                .into(),
                ..Links::default()
            }),
        }
    }

    pub fn sku(&self, country: &str) -> Sku {
        Sku {
            id: CatalogSkuId::new(self.sku_id),
            product_id: Some(ProductId::new(self.product_id)),
            title: Some(self.title.to_owned()),
            description: Some(format!("{} (per user)", self.title)),
            minimum_quantity: Some(self.min_quantity),
            maximum_quantity: Some(self.max_quantity),
            is_trial: Some(false),
            supported_billing_cycles: vec![BillingCycle::Monthly, BillingCycle::Annual],
            // No marketplace offer uses the inventory check.
            purchase_prerequisites: if self.is_marketplace() {
                vec!["MicrosoftCloudAgreement".into()]
            } else {
                vec!["InventoryCheck".into(), "MicrosoftCloudAgreement".into()]
            },
            // Microsoft's SKUs name the licensing SKU they grant.
            dynamic_attributes: Some(if self.is_marketplace() {
                serde_json::json!({ "isMicrosoftProduct": false, "hasConstraints": true, "isAddon": false })
            } else {
                serde_json::json!({
                    "isMicrosoftProduct": true, "hasConstraints": true, "isAddon": false,
                    "provisioningId": self.license_sku
                })
            }),
            links: Some(Links {
                self_link: Some(Link::get(format!(
                    "/products/{}/skus/{}?country={country}",
                    self.product_id, self.sku_id
                ))),
                ..Links::default()
            }),
            ..Sku::default()
        }
    }

    pub fn availability(&self, country: &str) -> Availability {
        Availability {
            id: AvailabilityId::new(self.availability_id),
            product_id: Some(ProductId::new(self.product_id)),
            sku_id: Some(self.sku_id.to_owned()),
            catalog_item_id: Some(self.catalog_item_id()),
            default_currency: Some(Currency::Object {
                code: currency(country).0.into(),
                symbol: Some(currency(country).1.into()),
            }),
            segment: Some("commercial".into()),
            country: Some(country.to_owned()),
            is_purchasable: Some(true),
            is_renewable: Some(true),
            terms: vec![
                Term {
                    duration: Some("P1Y".into()),
                    description: Some("One-Year commitment".into()),
                    billing_cycle: Some(BillingCycle::Monthly),
                    ..Term::default()
                },
                // Annual billing is another term of the same availability, as documented.
                Term {
                    duration: Some("P1Y".into()),
                    description: Some("One-Year commitment, billed annually".into()),
                    billing_cycle: Some(BillingCycle::Annual),
                    ..Term::default()
                },
                Term {
                    duration: Some("P1M".into()),
                    description: Some("One-Month commitment".into()),
                    billing_cycle: Some(BillingCycle::Monthly),
                    ..Term::default()
                },
            ],
            links: Some(Links {
                self_link: Some(Link::get(format!(
                    "/products/{}/skus/{}/availabilities/{}?country={country}",
                    self.product_id, self.sku_id, self.availability_id
                ))),
                ..Links::default()
            }),
            ..Availability::default()
        }
    }
}

pub fn nce() -> ItemType {
    ItemType {
        id: "OnlineServicesNCE".into(),
        display_name: Some("OnlineServicesNCE".into()),
        sub_type: None,
    }
}

fn currency(country: &str) -> (&'static str, &'static str) {
    match country {
        "GB" => ("GBP", "£"),
        "DE" | "FR" | "NL" => ("EUR", "€"),
        "CA" => ("CAD", "$"),
        "AU" => ("AUD", "$"),
        _ => ("USD", "$"),
    }
}
