//! Query parameters of the lists that sort and page, with at most a `state` filter
//! (departments, areas, tokens, campaigns, tasks). One macro gives each list its documented
//! parameter struct, with its sort keys and states as enums, so that the OpenAPI document
//! states exactly what the server accepts.

/// `sorted_list_params!(Params, SortEnum, "doc", [Variant, …] $(, StateEnum, "doc", [Variant, …])?)`.
macro_rules! sorted_list_params {
    ($params:ident, $sort:ident, $doc:literal, [$($variant:ident),+ $(,)?]
     $(, $state:ident, $state_doc:literal, [$($state_variant:ident),+ $(,)?])?) => {
        #[derive(serde::Deserialize, utoipa::IntoParams, Default, Clone)]
        #[into_params(parameter_in = Query)]
        pub struct $params {
            #[doc = $doc]
            #[param(value_type = Option<$sort>, inline)]
            pub sort: Option<String>,
            /// asc (default) or desc
            #[param(value_type = Option<$crate::api::people::SortDirName>, inline)]
            pub dir: Option<String>,
            /// Where the page starts: the cursor from the previous page's `next` link (404 if
            /// it is not one).
            #[param(min_length = 1, max_length = 2000)]
            pub after: Option<String>,
            #[param(minimum = 1, maximum = 500)]
            pub per_page: Option<u32>,
            $(
                #[doc = $state_doc]
                #[param(value_type = Option<$state>, inline)]
                pub state: Option<String>,
            )?
        }

        #[derive(utoipa::ToSchema)]
        #[schema(rename_all = "lowercase")]
        #[allow(dead_code)]
        pub enum $sort {
            $($variant),+
        }

        $(
            #[derive(utoipa::ToSchema)]
            #[schema(rename_all = "lowercase")]
            #[allow(dead_code)]
            pub enum $state {
                $($state_variant),+
            }
        )?

        impl $params {
            fn state_param(&self) -> Option<String> {
                None$(.or_else(|| { let _ = stringify!($state); self.state.clone() }))?
            }

            /// Checks the parameters against `spec`; empty values given through the API are refused.
            pub fn checked(
                &self,
                spec: &bulwark_core::list::ListSpec,
            ) -> Result<bulwark_core::list::ListQuery, $crate::error::ApiError> {
                let state = self.state_param();
                $crate::api::given_not_empty(&[
                    ("sort", &self.sort),
                    ("dir", &self.dir),
                    ("after", &self.after),
                    ("state", &state),
                ])?;
                Ok(spec.parse(&self.raw())?)
            }

            pub fn raw(&self) -> bulwark_core::list::RawListQuery {
                bulwark_core::list::RawListQuery {
                    sort: self.sort.clone(),
                    dir: self.dir.clone(),
                    after: self.after.clone(),
                    limit: self.per_page,
                    filters: self.state_param().map(|s| ("state".to_string(), s)).into_iter().collect(),
                    ..Default::default()
                }
            }

            /// This query as a URL query string, without the cursor (the base of `next` links).
            pub fn query_without_after(&self) -> String {
                let state = self.state_param();
                $crate::api::list_query(&[("state", &state), ("sort", &self.sort), ("dir", &self.dir)], self.per_page)
            }
        }
    };
}

sorted_list_params!(DepartmentParams, DepartmentSortName, "name (default), people or created", [Name, People, Created]);
sorted_list_params!(TokenParams, TokenSortName, "name (default) or created", [Name, Created]);
sorted_list_params!(
    CampaignParams,
    CampaignSortName,
    "due (default), title or created",
    [Due, Title, Created],
    CampaignStateName,
    "open or closed",
    [Open, Closed]
);
sorted_list_params!(
    TaskParams,
    TaskSortName,
    "due (default) or created",
    [Due, Created],
    TaskStateName,
    "open, done or missed",
    [Open, Done, Missed]
);
sorted_list_params!(ChecklistParams, ChecklistSortName, "title (default) or created", [Title, Created]);
